import type { IngestTarget } from '../lib/load';
import type { PidGroups } from '../lib/proc';

/** One endpoint of a scenario: where it listens and whether the harness counts it as healthy. */
export interface EndpointSpec {
  url: string;
  /** seconds before a hanging endpoint's attempt gives up */
  timeoutS: number;
}

/**
 * What a scenario needs from a pipeline under test: Caravan's roles or the baseline, each
 * started as child processes on their own database and Redis prefix.
 */
export interface Deployment {
  readonly kind: 'caravan' | 'baseline';
  readonly db: string;
  readonly prefix: string;
  /** the PostgreSQL server (`postgres://user@host:port`) holding `db` */
  readonly pgServer: string;
  /** registers endpoints and returns how to send events to all of them (fan-out when several) */
  addEndpoints(eps: EndpointSpec[]): Promise<IngestTarget>;
  /** an incoming project whose HMAC-verified source feeds `ep`, and how to post signed webhooks to it (Caravan only) */
  addSource?(ep: EndpointSpec): Promise<IngestTarget>;
  /** an outgoing project whose RabbitMQ pub/sub source feeds `ep`, and how to publish to it (Caravan only) */
  addBrokerSource?(ep: EndpointSpec): Promise<IngestTarget & { close(): Promise<void> }>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  pidGroups(): Promise<PidGroups>;
  /** stops every process, drops the database and the Redis keys */
  stop(): Promise<void>;
}

export interface DeployOptions {
  /** database and Redis prefix name */
  name: string;
  /** start the worker(s) now */
  workers: boolean;
  /** tunnel deliveries through an egress proxy (Caravan only) */
  egress?: boolean;
  /** sink ports the egress proxy must allow besides 80 and 443 */
  egressPorts?: number[];
  workerConcurrency: number;
  /** the checkout whose dist/ holds the Caravan build to run */
  caravanDir: string;
  /** extra environment for Caravan's roles */
  caravanEnv: Record<string, string>;
  /** the PostgreSQL server (`postgres://user@host:port`) to use instead of the machine's */
  pgServer?: string;
}
