/** Every BullMQ queue Caravan uses, in one place. Jobs carry ids only; workers re-read state. */
export const QUEUES = {
  /** pending events: find subscriptions, write delivery rows idempotently */
  routing: 'routing',
  /** first attempts of deliveries */
  deliveries: 'deliveries',
  /** retries and deferred attempts, kept apart so they never starve first attempts */
  retries: 'retries',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** The payload of a delivery job: ids only, the worker re-reads state from PostgreSQL. */
export interface DeliveryWakeup {
  deliveryId: string;
  generation: number;
  endpointId: string;
}

/** `<deliveryId>-<generation>`: a retained old job can never swallow a re-enqueue. */
export function deliveryJobId(deliveryId: string, generation: number): string {
  return `${deliveryId}-${generation}`;
}

export function routingJobId(eventId: string, generation = 0): string {
  return `${eventId}-${generation}`;
}
