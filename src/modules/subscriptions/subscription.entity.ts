import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Which events reach the endpoint, as submitted: event types (`*` = all) and the filters
 * of each request scope. Routing reads the filter rows made from it (`filters/`).
 */
export interface FilterConfig {
  event_types: string[];
  /** query and path are absent in rows written before they were supported */
  filter: { headers: Record<string, unknown>; body: Record<string, unknown>; query?: Record<string, unknown>; path?: Record<string, unknown> };
}

export interface RateLimitConfig {
  count: number;
  /** seconds */
  duration: number;
}

export interface AlertConfig {
  count: number;
  /** a Go-style duration such as `1h` */
  threshold: string;
}

export type DeliveryMode = 'at_least_once' | 'at_most_once';

@Entity({ name: 'subscriptions' })
export class SubscriptionEntity {
  @PrimaryColumn('text') id!: string;
  @Column({ name: 'project_id', type: 'text' }) projectId!: string;
  @Column({ name: 'endpoint_id', type: 'text' }) endpointId!: string;
  @Column({ name: 'source_id', type: 'text', nullable: true }) sourceId!: string | null;
  @Column('text') name!: string;
  @Column('text') type!: 'api' | 'cli';
  @Column({ name: 'delivery_mode', type: 'text' }) deliveryMode!: DeliveryMode;
  @Column({ name: 'filter_config', type: 'jsonb' }) filterConfig!: FilterConfig;
  @Column({ name: 'rate_limit_config', type: 'jsonb', nullable: true }) rateLimitConfig!: RateLimitConfig | null;
  @Column({ name: 'alert_config', type: 'jsonb', nullable: true }) alertConfig!: AlertConfig | null;
  /** Convoy's transform function (JavaScript), applied to the payload before it is signed and sent */
  @Column({ name: 'function', type: 'text', nullable: true }) function!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt!: Date | null;
}

/** A subscription as routing loads it: everything but its function, which only the worker needs, at send time. */
export type SubscriptionWithoutFunction = Omit<SubscriptionEntity, 'function'>;
