import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'delivery_attempts' })
export class AttemptEntity {
  @PrimaryColumn('text') id!: string;
  @Column({ name: 'project_id', type: 'text' }) projectId!: string;
  @Column({ name: 'event_delivery_id', type: 'text' }) eventDeliveryId!: string;
  @Column({ name: 'endpoint_id', type: 'text' }) endpointId!: string;
  @Column({ name: 'msg_id', type: 'text' }) msgId!: string;
  @Column('text') url!: string;
  @Column('text') method!: string;
  @Column({ name: 'api_version', type: 'text' }) apiVersion!: string;
  @Column({ name: 'ip_address', type: 'text' }) ipAddress!: string;
  @Column({ name: 'request_http_header', type: 'jsonb' }) requestHttpHeader!: Record<string, string>;
  @Column({ name: 'response_http_header', type: 'jsonb' }) responseHttpHeader!: Record<string, string>;
  @Column({ name: 'http_status', type: 'text' }) httpStatus!: string;
  @Column({ name: 'response_data', type: 'text' }) responseData!: string;
  @Column('text') error!: string;
  @Column({ name: 'error_class', type: 'text' }) errorClass!: string;
  @Column('boolean') status!: boolean;
  @Column({ name: 'duration_ms', type: 'integer' }) durationMs!: number;
  @Column({ name: 'requested_at', type: 'timestamptz' }) requestedAt!: Date;
  @Column({ name: 'responded_at', type: 'timestamptz', nullable: true }) respondedAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
