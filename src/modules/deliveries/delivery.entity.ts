import { Column, Entity, PrimaryColumn } from 'typeorm';

export type DeliveryStatus = 'Scheduled' | 'Processing' | 'Success' | 'Failure' | 'Retry' | 'Discarded';
export type TerminalStatus = 'Success' | 'Failure' | 'Discarded';

/** Success, Failure and Discarded end a delivery; Scheduled, Processing and Retry are in flight. */
export function isTerminal(status: DeliveryStatus): status is TerminalStatus {
  return status === 'Success' || status === 'Failure' || status === 'Discarded';
}

@Entity({ name: 'event_deliveries' })
export class DeliveryEntity {
  @PrimaryColumn('text') id!: string;
  @Column({ name: 'project_id', type: 'text' }) projectId!: string;
  @Column({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ name: 'endpoint_id', type: 'text' }) endpointId!: string;
  @Column({ name: 'subscription_id', type: 'text' }) subscriptionId!: string;
  @Column({ name: 'route_seq', type: 'integer' }) routeSeq!: number;
  @Column({ name: 'event_type', type: 'text' }) eventType!: string;
  @Column('text') status!: DeliveryStatus;
  @Column({ name: 'delivery_mode', type: 'text' }) deliveryMode!: 'at_least_once' | 'at_most_once';
  @Column('jsonb') headers!: Record<string, string>;
  @Column('integer') attempts!: number;
  @Column({ name: 'retry_limit', type: 'integer' }) retryLimit!: number;
  @Column('integer') generation!: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz' }) nextAttemptAt!: Date;
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true }) leaseUntil!: Date | null;
  @Column({ name: 'lease_owner', type: 'text', nullable: true }) leaseOwner!: string | null;
  @Column('text') description!: string;
  @Column({ name: 'latency_ms', type: 'integer', nullable: true }) latencyMs!: number | null;
  @Column({ name: 'acknowledged_at', type: 'timestamptz' }) acknowledgedAt!: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt!: Date | null;
}
