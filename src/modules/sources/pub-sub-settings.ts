import { unprocessable } from '../../common/errors/domain-error';
import type { SealedSecret } from '../../common/crypto/secret-box';
import type { AmqpSettings, NatsSettings, PubSubSettings } from '../broker-clients';
import type { PubSubConfigDto, PubSubConfigResponseDto } from './dto/pub-sub.dto';

const DEFAULT_WORKERS = 1;
const DEFAULT_PREFETCH = 20;

/** A pub/sub source's broker settings as stored: every secret sealed (AES-256-GCM). */
export interface StoredPubSub {
  type: PubSubSettings['type'];
  workers: number;
  prefetch: number;
  amqp?: Omit<AmqpSettings, 'auth'> & { auth: { user: string; password: SealedSecret } | null };
  nats?: Omit<NatsSettings, 'credentials'> & { credentials: { user: string; password: SealedSecret } | { token: SealedSecret } | null };
}

export interface SecretBox {
  seal(text: string): SealedSecret;
  open(sealed: SealedSecret): string;
}

function refuse(field: string, message: string): never {
  throw unprocessable('invalid_pub_sub', message, { field });
}

/** The settings a consumer runs with, from a validated request body; refuses what no consumer could use. */
export function pubSubFromDto(dto: PubSubConfigDto | null | undefined): PubSubSettings {
  if (!dto) return refuse('pub_sub', 'pub_sub is required for a pub_sub source');
  const base = { workers: dto.workers ?? DEFAULT_WORKERS, prefetch: dto.prefetch ?? DEFAULT_PREFETCH };
  switch (dto.type) {
    case 'amqp': {
      const a = dto.amqp;
      if (!a) return refuse('pub_sub.amqp', 'pub_sub.amqp is required when pub_sub.type is amqp');
      const schema = a.schema ?? 'amqp';
      const port = a.port ?? (schema === 'amqps' ? '5671' : '5672');
      if (Number(port) < 1 || Number(port) > 65535) refuse('pub_sub.amqp.port', 'pub_sub.amqp.port must be a port number 1-65535');
      return {
        type: 'amqp',
        ...base,
        amqp: {
          schema,
          host: a.host,
          port,
          vhost: a.vhost ?? '/',
          queue: a.queue,
          auth: a.auth ? { user: a.auth.user, password: a.auth.password } : null,
          bindExchange: a.bindExchange ? { exchange: a.bindExchange.exchange, routingKey: a.bindExchange.routingKey ?? '' } : null,
          deadLetterExchange: a.deadLetterExchange ?? null,
        },
      };
    }
    case 'nats': {
      const n = dto.nats;
      if (!n) return refuse('pub_sub.nats', 'pub_sub.nats is required when pub_sub.type is nats');
      const c = n.credentials;
      let credentials: NatsSettings['credentials'] = null;
      if (c) {
        if (c.token !== undefined && (c.user !== undefined || c.password !== undefined)) {
          refuse('pub_sub.nats.credentials', 'pub_sub.nats.credentials takes a token or a user and password, not both');
        }
        if (c.token !== undefined) credentials = { token: c.token };
        else if (c.user !== undefined && c.password !== undefined) credentials = { user: c.user, password: c.password };
        else refuse('pub_sub.nats.credentials', 'pub_sub.nats.credentials needs a token, or both user and password');
      }
      return {
        type: 'nats',
        ...base,
        nats: { servers: n.servers, stream: n.stream, consumer: n.consumer, subject_filter: n.subject_filter ?? null, credentials },
      };
    }
    default:
      throw unprocessable('unsupported_source_type', `pub_sub.type ${dto.type} is not supported yet; use amqp or nats`, { field: 'pub_sub.type' });
  }
}

export function sealPubSub(s: PubSubSettings, box: SecretBox): StoredPubSub {
  const out: StoredPubSub = { type: s.type, workers: s.workers, prefetch: s.prefetch };
  if (s.amqp) out.amqp = { ...s.amqp, auth: s.amqp.auth ? { user: s.amqp.auth.user, password: box.seal(s.amqp.auth.password) } : null };
  if (s.nats) {
    const c = s.nats.credentials;
    out.nats = {
      ...s.nats,
      credentials: c === null ? null : 'token' in c ? { token: box.seal(c.token) } : { user: c.user, password: box.seal(c.password) },
    };
  }
  return out;
}

export function openPubSub(s: StoredPubSub, box: SecretBox): PubSubSettings {
  const out: PubSubSettings = { type: s.type, workers: s.workers, prefetch: s.prefetch };
  if (s.amqp) out.amqp = { ...s.amqp, auth: s.amqp.auth ? { user: s.amqp.auth.user, password: box.open(s.amqp.auth.password) } : null };
  if (s.nats) {
    const c = s.nats.credentials;
    out.nats = {
      ...s.nats,
      credentials: c === null ? null : 'token' in c ? { token: box.open(c.token) } : { user: c.user, password: box.open(c.password) },
    };
  }
  return out;
}

/** Convoy's stored `PubSubConfig` shape (AMQP's `bindedExchange` and `routingKey`), without secrets. */
export function pubSubView(s: StoredPubSub): PubSubConfigResponseDto {
  const a = s.amqp;
  const c = s.nats?.credentials;
  return {
    type: s.type,
    workers: s.workers,
    prefetch: s.prefetch,
    amqp: a
      ? {
          schema: a.schema,
          host: a.host,
          port: a.port,
          queue: a.queue,
          vhost: a.vhost,
          auth: a.auth ? { user: a.auth.user } : null,
          bindedExchange: a.bindExchange?.exchange ?? null,
          routingKey: a.bindExchange?.routingKey ?? '',
          deadLetterExchange: a.deadLetterExchange,
        }
      : null,
    nats: s.nats
      ? {
          servers: s.nats.servers,
          stream: s.nats.stream,
          consumer: s.nats.consumer,
          subject_filter: s.nats.subject_filter,
          credentials: c ? ('token' in c ? { kind: 'token', user: null } : { kind: 'user', user: c.user }) : null,
        }
      : null,
    sqs: null,
    google: null,
    kafka: null,
  };
}
