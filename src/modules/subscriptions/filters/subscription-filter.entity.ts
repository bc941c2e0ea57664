import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A filter document per scope; header names in lower case. */
export type FilterDocument = Record<string, unknown>;

/**
 * Convoy's `EventTypeFilter`: the filter a subscription applies to events of one type
 * (`*`: every type without a row of its own). A row with no `enabled_at` is switched off.
 */
@Entity({ name: 'subscription_filters' })
export class SubscriptionFilterEntity {
  @PrimaryColumn('text') id!: string;
  @Column({ name: 'project_id', type: 'text' }) projectId!: string;
  @Column({ name: 'subscription_id', type: 'text' }) subscriptionId!: string;
  @Column({ name: 'event_type', type: 'text' }) eventType!: string;
  @Column({ name: 'enabled_at', type: 'timestamptz', nullable: true }) enabledAt!: Date | null;
  @Column('jsonb') headers!: FilterDocument;
  @Column('jsonb') body!: FilterDocument;
  @Column('jsonb') query!: FilterDocument;
  @Column('jsonb') path!: FilterDocument;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
