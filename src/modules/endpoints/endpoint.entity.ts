import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SealedSecret } from '../../common/crypto/secret-box';
import type { StoredClientCertificate } from './client-certificate';
import type { StoredSecret } from './endpoint-secrets';
import type { StoredOAuth2 } from './oauth2/oauth2-config';
import type { EndpointStatus } from './endpoint-status';

/** Credentials the gateway presents to the endpoint; the secret half is sealed at rest. */
export type StoredAuthentication =
  | { type: 'api_key'; api_key: { header_name: string; header_value: SealedSecret } }
  | { type: 'basic_auth'; basic_auth: { username: string; password: SealedSecret } }
  | { type: 'oauth2'; oauth2: StoredOAuth2 };

@Entity({ name: 'endpoints' })
export class EndpointEntity {
  @PrimaryColumn('text') id!: string;
  @Column({ name: 'project_id', type: 'text' }) projectId!: string;
  @Column('text') name!: string;
  @Column('text') url!: string;
  @Column('text') description!: string;
  @Column({ name: 'owner_id', type: 'text' }) ownerId!: string;
  @Column('text') status!: EndpointStatus;
  @Column('jsonb') secrets!: StoredSecret[];
  @Column({ name: 'advanced_signatures', type: 'boolean' }) advancedSignatures!: boolean;
  /** seconds */
  @Column({ name: 'http_timeout', type: 'integer' }) httpTimeout!: number;
  /** requests per rateLimitDuration; 0 = the project's default */
  @Column({ name: 'rate_limit', type: 'integer' }) rateLimit!: number;
  /** seconds; 0 = the project's default */
  @Column({ name: 'rate_limit_duration', type: 'integer' }) rateLimitDuration!: number;
  /** deliveries in flight to this endpoint at once; null = no cap of its own */
  @Column({ name: 'max_concurrency', type: 'integer', nullable: true }) maxConcurrency!: number | null;
  @Column({ name: 'content_type', type: 'text' }) contentType!: string;
  @Column({ name: 'support_email', type: 'text' }) supportEmail!: string;
  @Column({ name: 'slack_webhook_url', type: 'text' }) slackWebhookUrl!: string;
  @Column({ type: 'jsonb', nullable: true }) authentication!: StoredAuthentication | null;
  @Column({ name: 'mtls_client_cert', type: 'jsonb', nullable: true }) mtlsClientCert!: StoredClientCertificate | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt!: Date | null;
}
