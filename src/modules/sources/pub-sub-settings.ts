import { unprocessable } from '../../common/errors/domain-error';
import type { SealedSecret } from '../../common/crypto/secret-box';
import type { AmqpSettings, GoogleSettings, KafkaSettings, NatsSettings, PubSubSettings, SqsSettings } from '../broker-clients';
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
  sqs?: Omit<SqsSettings, 'secret_key'> & { secret_key: SealedSecret };
  google?: Omit<GoogleSettings, 'service_account'> & { service_account: SealedSecret | null };
  kafka?: Omit<KafkaSettings, 'auth'> & { auth: (Omit<NonNullable<KafkaSettings['auth']>, 'password'> & { password: SealedSecret }) | null };
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
    case 'sqs': {
      const q = dto.sqs;
      if (!q) return refuse('pub_sub.sqs', 'pub_sub.sqs is required when pub_sub.type is sqs');
      return {
        type: 'sqs',
        ...base,
        sqs: {
          access_key_id: q.access_key_id,
          secret_key: q.secret_key,
          default_region: q.default_region,
          queue_name: q.queue_name,
          endpoint: q.endpoint ?? null,
        },
      };
    }
    case 'google': {
      const g = dto.google;
      if (!g) return refuse('pub_sub.google', 'pub_sub.google is required when pub_sub.type is google');
      let serviceAccount: string | null = null;
      if (g.service_account) {
        serviceAccount = Buffer.from(g.service_account, 'base64').toString('utf8');
        let key: { client_email?: unknown; private_key?: unknown } | undefined;
        try {
          key = JSON.parse(serviceAccount) as typeof key;
        } catch {
          key = undefined;
        }
        if (typeof key?.client_email !== 'string' || typeof key.private_key !== 'string') {
          refuse('pub_sub.google.service_account', 'pub_sub.google.service_account must be a base64-encoded service account JSON key');
        }
      }
      return { type: 'google', ...base, google: { project_id: g.project_id, subscription_id: g.subscription_id, service_account: serviceAccount } };
    }
    case 'kafka': {
      const k = dto.kafka;
      if (!k) return refuse('pub_sub.kafka', 'pub_sub.kafka is required when pub_sub.type is kafka');
      const a = k.auth;
      return {
        type: 'kafka',
        ...base,
        kafka: {
          brokers: k.brokers,
          consumer_group_id: k.consumer_group_id,
          topic_name: k.topic_name,
          auth: a ? { type: a.type, hash: a.hash ?? 'SHA256', username: a.username, password: a.password, tls: a.tls ?? false } : null,
        },
      };
    }
    default: {
      // the DTO admits only the types above; this guards a type added there but not here
      const type: string = dto.type;
      throw unprocessable('unsupported_source_type', `pub_sub.type ${type} is not supported`, { field: 'pub_sub.type' });
    }
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
  if (s.sqs) out.sqs = { ...s.sqs, secret_key: box.seal(s.sqs.secret_key) };
  if (s.google) out.google = { ...s.google, service_account: s.google.service_account === null ? null : box.seal(s.google.service_account) };
  if (s.kafka) out.kafka = { ...s.kafka, auth: s.kafka.auth ? { ...s.kafka.auth, password: box.seal(s.kafka.auth.password) } : null };
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
  if (s.sqs) out.sqs = { ...s.sqs, secret_key: box.open(s.sqs.secret_key) };
  if (s.google) out.google = { ...s.google, service_account: s.google.service_account === null ? null : box.open(s.google.service_account) };
  if (s.kafka) out.kafka = { ...s.kafka, auth: s.kafka.auth ? { ...s.kafka.auth, password: box.open(s.kafka.auth.password) } : null };
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
    sqs: s.sqs ? { access_key_id: s.sqs.access_key_id, default_region: s.sqs.default_region, queue_name: s.sqs.queue_name, endpoint: s.sqs.endpoint } : null,
    google: s.google ? { project_id: s.google.project_id, subscription_id: s.google.subscription_id } : null,
    kafka: s.kafka
      ? {
          brokers: s.kafka.brokers,
          consumer_group_id: s.kafka.consumer_group_id,
          topic_name: s.kafka.topic_name,
          auth: s.kafka.auth ? { type: s.kafka.auth.type, hash: s.kafka.auth.hash, username: s.kafka.auth.username, tls: s.kafka.auth.tls } : null,
        }
      : null,
  };
}
