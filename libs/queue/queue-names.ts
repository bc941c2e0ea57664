/**
 * Every BullMQ queue Caravan uses, in one place, so the queue module registers them all.
 * Each queue has one producer and one processor; docs/architecture.md names them.
 */
export const QUEUES = {
  /** events left unrouted (replays): find subscriptions, write delivery rows idempotently */
  routing: 'routing',
  /** first attempts of deliveries */
  deliveries: 'deliveries',
  /** retries and deferred attempts, kept apart so they never starve first attempts */
  retries: 'retries',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
