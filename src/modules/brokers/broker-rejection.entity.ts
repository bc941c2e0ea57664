import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A broker message that could never become an event, kept so it is not lost without trace. */
@Entity({ name: 'broker_rejections' })
export class BrokerRejectionEntity {
  @PrimaryColumn('text') id!: string;
  @Column({ name: 'project_id', type: 'text' }) projectId!: string;
  @Column({ name: 'source_id', type: 'text' }) sourceId!: string;
  @Column({ name: 'broker_message_id', type: 'text', nullable: true }) brokerMessageId!: string | null;
  @Column('text') reason!: string;
  @Column('jsonb') headers!: Record<string, string>;
  /** the message body as text (invalid UTF-8 replaced), at most MAX_REJECTED_BODY_CHARS */
  @Column('text') body!: string;
  /** also handed to the broker's dead-letter exchange */
  @Column({ name: 'dead_lettered', type: 'boolean' }) deadLettered!: boolean;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
