import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SealedSecret } from '../../common/crypto/secret-box';
import type { StoredPubSub } from './pub-sub-settings';
import type { HmacEncoding, HmacHash, SourceProvider } from './verifiers';

/** A verifier as stored: every secret half sealed at rest (AES-256-GCM). */
export type StoredVerifier =
  | { type: 'noop' }
  | { type: 'hmac'; hmac: { header: string; hash: HmacHash; encoding: HmacEncoding; secret: SealedSecret } }
  | { type: 'basic_auth'; basic_auth: { username: string; password: SealedSecret } }
  | { type: 'api_key'; api_key: { header_name: string; header_value: SealedSecret } }
  | { type: 'standard_webhooks'; standard_webhooks: { secret: SealedSecret; tolerance: number } }
  | { type: 'timestamped_hmac'; timestamped_hmac: { header: string; hash: HmacHash; secret: SealedSecret; tolerance: number } };

export interface CustomResponse {
  body: string;
  content_type: string;
}

export interface ProviderConfig {
  twitter?: { crc_verified_at: string | null };
}

@Entity({ name: 'sources' })
export class SourceEntity {
  @PrimaryColumn('text') id!: string;
  @Column({ name: 'project_id', type: 'text' }) projectId!: string;
  @Column({ name: 'mask_id', type: 'text' }) maskId!: string;
  @Column('text') name!: string;
  @Column('text') type!: 'http' | 'pub_sub';
  @Column('text') provider!: SourceProvider | '';
  @Column({ name: 'is_disabled', type: 'boolean' }) isDisabled!: boolean;
  @Column('jsonb') verifier!: StoredVerifier;
  @Column({ name: 'custom_response', type: 'jsonb' }) customResponse!: CustomResponse;
  @Column({ name: 'idempotency_keys', type: 'text', array: true }) idempotencyKeys!: string[];
  @Column({ name: 'event_type_location', type: 'text' }) eventTypeLocation!: string;
  @Column({ name: 'forward_headers', type: 'text', array: true }) forwardHeaders!: string[];
  @Column({ name: 'body_function', type: 'text', nullable: true }) bodyFunction!: string | null;
  @Column({ name: 'header_function', type: 'text', nullable: true }) headerFunction!: string | null;
  @Column({ name: 'provider_config', type: 'jsonb', nullable: true }) providerConfig!: ProviderConfig | null;
  /** the broker of a pub_sub source, its secrets sealed */
  @Column({ name: 'pub_sub', type: 'jsonb', nullable: true }) pubSub!: StoredPubSub | null;
  /** requests per rateLimitDuration accepted on /ingest; 0 = SOURCE_RATE_LIMIT */
  @Column({ name: 'rate_limit', type: 'integer' }) rateLimit!: number;
  /** seconds; 0 = one second */
  @Column({ name: 'rate_limit_duration', type: 'integer' }) rateLimitDuration!: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt!: Date | null;
}
