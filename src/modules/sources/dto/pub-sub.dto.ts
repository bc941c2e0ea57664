import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

/** A name or setting sent to a broker: printable, no CR, LF or NUL. */
const PLAIN = /^[^\r\n\0]{1,255}$/;
const SECRET = /^[^\r\n\0]{1,1024}$/;
const HOST = /^[A-Za-z0-9.\-:[\]]{1,253}$/;
const PORT = /^[0-9]{1,5}$/;
/** a NATS server: host:port, or a nats:// / tls:// URL without credentials */
const NATS_SERVER = /^((nats|tls):\/\/)?[A-Za-z0-9.\-[\]:]{1,253}$/;

export const PUB_SUB_TYPES = ['amqp', 'nats', 'sqs', 'google', 'kafka'] as const;

export class AmqpAuthDto {
  @IsDefined({ message: 'pub_sub.amqp.auth.user is required' })
  @IsString()
  @Matches(PLAIN, { message: 'pub_sub.amqp.auth.user must be 1-255 characters without CR, LF or NUL' })
  user!: string;
  @IsDefined({ message: 'pub_sub.amqp.auth.password is required' })
  @IsString()
  @Matches(SECRET, { message: 'pub_sub.amqp.auth.password must be 1-1024 characters without CR, LF or NUL' })
  password!: string;
}

export class AmqpExchangeDto {
  @IsDefined({ message: 'pub_sub.amqp.bindExchange.exchange is required' })
  @IsString()
  @Matches(PLAIN, { message: 'pub_sub.amqp.bindExchange.exchange must be 1-255 characters without CR, LF or NUL' })
  exchange!: string;
  /** default: empty (a fanout exchange needs none) */
  @IsOptional()
  @IsString()
  @Matches(/^[^\r\n\0]{0,255}$/, { message: 'pub_sub.amqp.bindExchange.routingKey must be at most 255 characters without CR, LF or NUL' })
  routingKey?: string;
}

export class AmqpPubSubDto {
  /** `amqp` (default) or `amqps` */
  @IsOptional() @IsIn(['amqp', 'amqps']) schema?: 'amqp' | 'amqps';
  @IsDefined({ message: 'pub_sub.amqp.host is required' })
  @IsString()
  @Matches(HOST, { message: 'pub_sub.amqp.host must be a host name or IP address' })
  host!: string;
  /** default 5672 (amqps 5671) */
  @IsOptional() @IsString() @Matches(PORT, { message: 'pub_sub.amqp.port must be a port number' }) port?: string;
  @IsDefined({ message: 'pub_sub.amqp.queue is required' })
  @IsString()
  @Matches(PLAIN, { message: 'pub_sub.amqp.queue must be 1-255 characters without CR, LF or NUL' })
  queue!: string;
  /** default `/` */
  @IsOptional() @IsString() @Matches(PLAIN, { message: 'pub_sub.amqp.vhost must be 1-255 characters without CR, LF or NUL' }) vhost?: string | null;
  @IsOptional() @ValidateNested() @Type(() => AmqpAuthDto) auth?: AmqpAuthDto | null;
  /** bind the queue to this exchange with this routing key */
  @IsOptional() @ValidateNested() @Type(() => AmqpExchangeDto) bindExchange?: AmqpExchangeDto | null;
  /** the queue's dead-letter exchange: messages that can never become events go there */
  @IsOptional()
  @IsString()
  @Matches(PLAIN, { message: 'pub_sub.amqp.deadLetterExchange must be 1-255 characters without CR, LF or NUL' })
  deadLetterExchange?: string | null;
}

export class NatsCredentialsDto {
  @IsOptional() @IsString() @Matches(PLAIN, { message: 'pub_sub.nats.credentials.user must be 1-255 characters without CR, LF or NUL' }) user?: string;
  @IsOptional()
  @IsString()
  @Matches(SECRET, { message: 'pub_sub.nats.credentials.password must be 1-1024 characters without CR, LF or NUL' })
  password?: string;
  @IsOptional() @IsString() @Matches(SECRET, { message: 'pub_sub.nats.credentials.token must be 1-1024 characters without CR, LF or NUL' }) token?: string;
}

export class NatsPubSubDto {
  /** e.g. `nats://127.0.0.1:4222` */
  @IsDefined({ message: 'pub_sub.nats.servers is required' })
  @IsArray()
  @ArrayMinSize(1, { message: 'pub_sub.nats.servers must name at least one server' })
  @ArrayMaxSize(10)
  @Matches(NATS_SERVER, { each: true, message: 'pub_sub.nats.servers must be host:port or nats:// URLs without credentials' })
  servers!: string[];
  @IsDefined({ message: 'pub_sub.nats.stream is required' })
  @IsString()
  @Matches(/^[^\s.*>/\\\0]{1,255}$/, { message: 'pub_sub.nats.stream must be a stream name' })
  stream!: string;
  /** a durable consumer name; created on the stream (explicit acks) when missing */
  @IsDefined({ message: 'pub_sub.nats.consumer is required' })
  @IsString()
  @Matches(/^[^\s.*>/\\\0]{1,255}$/, { message: 'pub_sub.nats.consumer must be a consumer name' })
  consumer!: string;
  /** only subjects matching this filter, when the consumer is created */
  @IsOptional() @IsString() @Matches(/^[^\s\0]{1,255}$/, { message: 'pub_sub.nats.subject_filter must be a subject' }) subject_filter?: string | null;
  /** user and password, or a token */
  @IsOptional() @ValidateNested() @Type(() => NatsCredentialsDto) credentials?: NatsCredentialsDto | null;
}

export class SqsPubSubDto {
  @IsDefined({ message: 'pub_sub.sqs.access_key_id is required' })
  @IsString()
  @Matches(PLAIN, { message: 'pub_sub.sqs.access_key_id must be 1-255 characters without CR, LF or NUL' })
  access_key_id!: string;
  @IsDefined({ message: 'pub_sub.sqs.secret_key is required' })
  @IsString()
  @Matches(SECRET, { message: 'pub_sub.sqs.secret_key must be 1-1024 characters without CR, LF or NUL' })
  secret_key!: string;
  @IsDefined({ message: 'pub_sub.sqs.default_region is required' })
  @IsString()
  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'pub_sub.sqs.default_region must be an AWS region such as us-east-1' })
  default_region!: string;
  @IsDefined({ message: 'pub_sub.sqs.queue_name is required' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/, { message: 'pub_sub.sqs.queue_name must be an SQS queue name' })
  queue_name!: string;
  /** another SQS endpoint (an emulator, LocalStack, a VPC endpoint), e.g. `http://127.0.0.1:4566` */
  @IsOptional() @IsString() @Matches(/^https?:\/\/[^\s@]{1,500}$/, { message: 'pub_sub.sqs.endpoint must be an http(s) URL without credentials' }) endpoint?:
    string | null;
}

export class GooglePubSubDto {
  @IsDefined({ message: 'pub_sub.google.project_id is required' })
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{2,62}$/, { message: 'pub_sub.google.project_id must be a Google Cloud project id' })
  project_id!: string;
  @IsDefined({ message: 'pub_sub.google.subscription_id is required' })
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9._~%+-]{2,254}$/, { message: 'pub_sub.google.subscription_id must be a subscription id' })
  subscription_id!: string;
  /** the service account's JSON key, base64-encoded (as Convoy takes it); leave out with the emulator */
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9+/=\s]{1,65536}$/, { message: 'pub_sub.google.service_account must be base64' }) service_account?:
    string | null;
}

export class KafkaAuthDto {
  /** `plain` or `scram` */
  @IsDefined({ message: 'pub_sub.kafka.auth.type is required' }) @IsIn(['plain', 'scram']) type!: 'plain' | 'scram';
  /** for scram: `SHA256` (default) or `SHA512` */
  @IsOptional() @IsIn(['SHA256', 'SHA512']) hash?: 'SHA256' | 'SHA512';
  @IsDefined({ message: 'pub_sub.kafka.auth.username is required' })
  @IsString()
  @Matches(PLAIN, { message: 'pub_sub.kafka.auth.username must be 1-255 characters without CR, LF or NUL' })
  username!: string;
  @IsDefined({ message: 'pub_sub.kafka.auth.password is required' })
  @IsString()
  @Matches(SECRET, { message: 'pub_sub.kafka.auth.password must be 1-1024 characters without CR, LF or NUL' })
  password!: string;
  @IsOptional() @IsBoolean() tls?: boolean;
}

export class KafkaPubSubDto {
  /** `host:port` of one or more brokers */
  @IsDefined({ message: 'pub_sub.kafka.brokers is required' })
  @IsArray()
  @ArrayMinSize(1, { message: 'pub_sub.kafka.brokers must name at least one broker' })
  @ArrayMaxSize(20)
  @Matches(/^[A-Za-z0-9.\-[\]:]{1,253}:[0-9]{1,5}$/, { each: true, message: 'pub_sub.kafka.brokers must be host:port' })
  brokers!: string[];
  @IsDefined({ message: 'pub_sub.kafka.consumer_group_id is required' })
  @IsString()
  @Matches(PLAIN, { message: 'pub_sub.kafka.consumer_group_id must be 1-255 characters without CR, LF or NUL' })
  consumer_group_id!: string;
  @IsDefined({ message: 'pub_sub.kafka.topic_name is required' })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,249}$/, { message: 'pub_sub.kafka.topic_name must be a topic name' })
  topic_name!: string;
  @IsOptional() @ValidateNested() @Type(() => KafkaAuthDto) auth?: KafkaAuthDto | null;
}

export class PubSubConfigDto {
  /** `amqp`, `sqs`, `google`, `kafka` or `nats` (JetStream) */
  @IsDefined({ message: 'pub_sub.type is required' }) @IsIn(PUB_SUB_TYPES) type!: (typeof PUB_SUB_TYPES)[number];
  /** consumers of this source in each worker process (default 1) */
  @IsOptional() @IsInt() @Min(1) @Max(64) workers?: number;
  /** Caravan: unacknowledged messages one consumer holds at most (default 20) */
  @IsOptional() @IsInt() @Min(1) @Max(1000) prefetch?: number;
  @IsOptional() @ValidateNested() @Type(() => AmqpPubSubDto) amqp?: AmqpPubSubDto | null;
  /** Caravan: NATS JetStream */
  @IsOptional() @ValidateNested() @Type(() => NatsPubSubDto) nats?: NatsPubSubDto | null;
  @IsOptional() @ValidateNested() @Type(() => SqsPubSubDto) sqs?: SqsPubSubDto | null;
  @IsOptional() @ValidateNested() @Type(() => GooglePubSubDto) google?: GooglePubSubDto | null;
  @IsOptional() @ValidateNested() @Type(() => KafkaPubSubDto) kafka?: KafkaPubSubDto | null;
}

export class AmqpAuthResponseDto {
  user!: string;
}

/** Convoy's stored AMQP shape; the password is never returned. */
export class AmqpPubSubResponseDto {
  schema!: string;
  host!: string;
  port!: string;
  queue!: string;
  vhost!: string | null;
  auth!: AmqpAuthResponseDto | null;
  bindedExchange!: string | null;
  routingKey!: string;
  deadLetterExchange!: string | null;
}

export class NatsCredentialsResponseDto {
  /** `user` or `token` */
  kind!: string;
  user!: string | null;
}

export class NatsPubSubResponseDto {
  servers!: string[];
  stream!: string;
  consumer!: string;
  subject_filter!: string | null;
  credentials!: NatsCredentialsResponseDto | null;
}

/** Convoy's SQS shape; the secret key is never returned. */
export class SqsPubSubResponseDto {
  access_key_id!: string;
  default_region!: string;
  queue_name!: string;
  endpoint!: string | null;
}

/** Convoy's Google shape; the service account is never returned. */
export class GooglePubSubResponseDto {
  project_id!: string;
  subscription_id!: string;
}

export class KafkaAuthResponseDto {
  type!: string;
  hash!: string;
  username!: string;
  tls!: boolean;
}

/** Convoy's Kafka shape; the password is never returned. */
export class KafkaPubSubResponseDto {
  brokers!: string[];
  consumer_group_id!: string;
  topic_name!: string;
  auth!: KafkaAuthResponseDto | null;
}

export class PubSubConfigResponseDto {
  type!: string;
  workers!: number;
  /** Caravan */
  prefetch!: number;
  amqp!: AmqpPubSubResponseDto | null;
  /** Caravan */
  nats!: NatsPubSubResponseDto | null;
  sqs!: SqsPubSubResponseDto | null;
  google!: GooglePubSubResponseDto | null;
  kafka!: KafkaPubSubResponseDto | null;
}
