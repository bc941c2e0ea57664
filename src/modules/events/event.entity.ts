import { Column, Entity, PrimaryColumn } from 'typeorm';

export type EventStatus = 'Pending' | 'Processing' | 'Success' | 'Failure' | 'Retry';

/** How an event picked its endpoints: one endpoint, an owner's endpoints, every subscription, a URL, or its source's subscriptions. */
export interface EventTarget {
  kind: 'endpoint' | 'fanout' | 'broadcast' | 'dynamic' | 'source';
  owner_id?: string;
}

@Entity({ name: 'events' })
export class EventEntity {
  @PrimaryColumn('text') id!: string;
  @Column({ name: 'project_id', type: 'text' }) projectId!: string;
  @Column({ name: 'event_type', type: 'text' }) eventType!: string;
  @Column('jsonb') target!: EventTarget;
  @Column('text', { array: true }) endpoints!: string[];
  @Column({ name: 'source_id', type: 'text', nullable: true }) sourceId!: string | null;
  @Column({ name: 'idempotency_key', type: 'text', nullable: true }) idempotencyKey!: string | null;
  @Column({ name: 'broker_message_id', type: 'text', nullable: true }) brokerMessageId!: string | null;
  @Column('jsonb') headers!: Record<string, string>;
  /** the payload exactly as signed and sent */
  @Column('text') raw!: string;
  @Column({ name: 'url_query_params', type: 'text' }) urlQueryParams!: string;
  /** the path an incoming webhook was posted to; '' for events from the API */
  @Column({ name: 'url_path', type: 'text' }) urlPath!: string;
  @Column('text') status!: EventStatus;
  @Column({ name: 'failure_reason', type: 'text' }) failureReason!: string;
  @Column({ name: 'route_seq', type: 'integer' }) routeSeq!: number;
  @Column({ name: 'routed_at', type: 'timestamptz', nullable: true }) routedAt!: Date | null;
  @Column({ name: 'acknowledged_at', type: 'timestamptz' }) acknowledgedAt!: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt!: Date | null;
}
