import { AsyncLocalStorage } from 'node:async_hooks';
import {
  CallHandler,
  ExecutionContext,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  NestInterceptor,
  OnApplicationShutdown,
  OnModuleInit,
  UseInterceptors,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Observable } from 'rxjs';
import { DataSource, ObjectLiteral, Repository } from 'typeorm';
import { CARAVAN_CONFIG, CaravanConfig } from '../config';
import { HealthMetrics } from '../observability/metrics';
import { redactUrl } from '../observability/redact-url';
import { buildDataSourceOptions } from './data-source-options';
import { isTransientDatabaseError } from './database-errors';
import { parseLsn, PrimaryWalHistory } from './replica-lag';

/** The request that runs in this async context may read from a replica (a chosen GET route). */
interface ReadContext {
  /** the replica this request read from, so a failure there can be retried on the primary */
  used?: Replica;
  /** the route is running again after a replica failed it: the primary only */
  primaryOnly?: boolean;
}

const readContext = new AsyncLocalStorage<ReadContext>();

/** Whether replicas are opened in this process (the api role); the worker reads only the primary. */
export const REPLICA_READS_ENABLED = Symbol('REPLICA_READS_ENABLED');

export interface ReplicaStatus {
  name: string;
  healthy: boolean;
  /** staleness at the last probe; undefined when unknown */
  lagMs?: number;
  reason?: string;
  probedAt?: number;
}

class Replica {
  ds?: DataSource;
  healthy = false;
  lagMs?: number;
  reason = 'not probed yet';
  probedAt?: number;
  /** when a query last failed on it: a probe that began before then cannot vouch for it */
  failedAt = 0;
  private opening?: Promise<DataSource | undefined>;

  constructor(
    readonly name: string,
    private readonly open: () => DataSource,
  ) {}

  /** Opens the pool on first use and again after a failed start; a replica that is down stays closed. */
  async source(): Promise<DataSource | undefined> {
    if (this.ds?.isInitialized) return this.ds;
    this.opening ??= (async () => {
      const ds = this.open();
      try {
        await ds.initialize();
        this.ds = ds;
        return ds;
      } catch (e) {
        this.reason = `cannot connect: ${(e as Error).message}`;
        await ds.destroy().catch(() => undefined);
        return undefined;
      } finally {
        this.opening = undefined;
      }
    })();
    return this.opening;
  }

  status(): ReplicaStatus {
    return { name: this.name, healthy: this.healthy, lagMs: this.lagMs, reason: this.healthy ? undefined : this.reason, probedAt: this.probedAt };
  }
}

/**
 * Read replicas for the routes that tolerate lag (lists, gets and searches of the API).
 * A route opts in with `@ReadsFromReplica()`; inside it, a repository asks `repo()` or
 * `source()` for what to read from and gets a healthy replica's, or the primary's when no
 * replica is healthy, when replicas are off, or outside such a route. Everything else (the
 * hot paths, reads after writes, the auth guard, the worker) never sees a replica.
 *
 * Each replica is probed every DATABASE_REPLICA_PROBE_MS: down, not a standby, or more than
 * DATABASE_REPLICA_MAX_LAG_MS behind the primary (by WAL position, see PrimaryWalHistory)
 * takes it out until a probe finds it well again. A query that fails on a replica between
 * probes takes it out at once and the route runs again on the primary (the interceptor),
 * so a replica never turns into an error for the caller.
 */
@Injectable()
export class ReplicaReads implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ReadReplicas');
  private readonly replicas: Replica[];
  private readonly history: PrimaryWalHistory;
  private timer?: NodeJS.Timeout;
  private probing?: Promise<void>;
  private next = 0;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    @InjectDataSource() private readonly primary: DataSource,
    @Inject(REPLICA_READS_ENABLED) enabled: boolean,
    private readonly metrics: HealthMetrics,
  ) {
    const urls = enabled ? config.databaseReadReplicas : [];
    this.replicas = urls.map(
      (url, i) =>
        new Replica(
          `replica-${i + 1} (${redactUrl(url)})`,
          () =>
            new DataSource(
              // a replica that does not answer must not hold a request up for long: the primary is there
              buildDataSourceOptions(config, { url, poolSize: config.databaseReplicaPoolSize, applicationName: 'caravan-api-replica', connectTimeoutMs: 2000 }),
            ),
        ),
    );
    this.history = new PrimaryWalHistory(config.databaseReplicaMaxLagMs + 3 * config.databaseReplicaProbeMs);
  }

  onModuleInit(): void {
    if (this.replicas.length === 0) return;
    this.logger.log(
      `${this.replicas.length} read replica(s); max lag ${this.config.databaseReplicaMaxLagMs} ms, probed every ${this.config.databaseReplicaProbeMs} ms`,
    );
    void this.probe();
    this.timer = setInterval(() => void this.probe(), this.config.databaseReplicaProbeMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.probing?.catch(() => undefined);
    for (const r of this.replicas) await r.ds?.destroy().catch(() => undefined);
  }

  /** Runs `work` as a route that may read from a replica. */
  runAsReadRoute<T>(work: () => T): T {
    return readContext.run({}, work);
  }

  /** The repository to read from: a healthy replica's inside a read route, otherwise `primary` itself. */
  repo<T extends ObjectLiteral>(primary: Repository<T>): Repository<T> {
    const ds = this.pick();
    return ds ? ds.getRepository<T>(primary.target) : primary;
  }

  /** The DataSource to read from, for repositories that write SQL themselves. */
  source(primary: DataSource): DataSource {
    return this.pick() ?? primary;
  }

  status(): ReplicaStatus[] {
    return this.replicas.map((r) => r.status());
  }

  /** Whether this process reads from replicas at all. */
  get enabled(): boolean {
    return this.replicas.length > 0;
  }

  /** A query failed on the replica the current route read from: take it out until it probes well. */
  failedOnReplica(): boolean {
    const used = readContext.getStore()?.used;
    if (!used) return false;
    used.failedAt = Date.now();
    this.setHealth(used, false, undefined, 'a query failed');
    return true;
  }

  private pick(): DataSource | undefined {
    const ctx = readContext.getStore();
    if (!ctx || ctx.primaryOnly || this.replicas.length === 0) return undefined;
    if (ctx.used?.healthy && ctx.used.ds) return ctx.used.ds;
    const stale = Date.now() - 3 * this.config.databaseReplicaProbeMs;
    for (let i = 0; i < this.replicas.length; i++) {
      const r = this.replicas[(this.next + i) % this.replicas.length];
      // a probe that stopped answering is no proof of health
      if (r.healthy && r.ds?.isInitialized && (r.probedAt ?? 0) >= stale) {
        this.next = (this.next + i + 1) % this.replicas.length;
        ctx.used = r;
        this.metrics.readServedBy('replica');
        return r.ds;
      }
    }
    this.metrics.readServedBy('primary');
    return undefined;
  }

  /** One round: the primary's WAL position, then each replica's replay position. */
  probe(): Promise<void> {
    this.probing ??= this.probeOnce().finally(() => (this.probing = undefined));
    return this.probing;
  }

  private async probeOnce(): Promise<void> {
    try {
      const rows: { lsn: string }[] = await this.primary.query('SELECT pg_current_wal_lsn()::text AS lsn');
      this.history.record(Date.now(), parseLsn(rows[0].lsn));
    } catch (e) {
      // without the primary's position no lag can be known; the primary is down anyway
      for (const r of this.replicas) this.setHealth(r, false, undefined, `cannot read the primary's WAL position: ${(e as Error).message}`);
      return;
    }
    await Promise.all(this.replicas.map((r) => this.probeReplica(r)));
  }

  private async probeReplica(r: Replica): Promise<void> {
    const startedAt = Date.now();
    const ds = await r.source();
    if (!ds) return this.setHealth(r, false, undefined, r.reason);
    try {
      const rows: { standby: boolean; replay: string | null }[] = await ds.query(
        `SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replay`,
      );
      const { standby, replay } = rows[0];
      if (!standby || replay === null) return this.setHealth(r, false, undefined, 'not a streaming standby (promoted, or a primary)');
      const lag = this.history.lagMs(parseLsn(replay), Date.now());
      if (lag === undefined) return this.setHealth(r, false, undefined, `more than ${this.config.databaseReplicaMaxLagMs} ms behind`);
      if (lag > this.config.databaseReplicaMaxLagMs) return this.setHealth(r, false, lag, `${lag} ms behind (max ${this.config.databaseReplicaMaxLagMs})`);
      // a query failed on it while this probe ran: the next probe decides
      if (r.failedAt >= startedAt) return;
      this.setHealth(r, true, lag);
    } catch (e) {
      this.setHealth(r, false, undefined, `probe failed: ${(e as Error).message}`);
      if (isTransientDatabaseError(e)) {
        // a restarted replica comes back on a fresh pool
        r.ds = undefined;
        await ds.destroy().catch(() => undefined);
      }
    }
  }

  private setHealth(r: Replica, healthy: boolean, lagMs: number | undefined, reason = ''): void {
    if (r.healthy !== healthy) {
      if (healthy) this.logger.log(`${r.name} is in use again (lag ${lagMs ?? '?'} ms)`);
      else this.logger.warn(`${r.name} skipped, the primary serves its reads: ${reason}`);
    }
    r.healthy = healthy;
    r.lagMs = lagMs;
    r.probedAt = Date.now();
    if (!healthy) r.reason = reason;
    this.metrics.replicaState(r.name, healthy, lagMs);
  }
}

/**
 * Runs a GET route as a read route (see ReplicaReads). When it fails with a connection-class
 * database error while replicas are configured, the replica it read from is taken out (when
 * known) and the route runs once more, on the primary: the caller sees the primary's answer,
 * never the replica's failure.
 */
@Injectable()
export class ReplicaReadInterceptor implements NestInterceptor {
  constructor(private readonly reads: ReplicaReads) {}

  intercept(_ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    return new Observable((subscriber) => {
      let inner = this.reads.runAsReadRoute(() =>
        next.handle().subscribe({
          next: (v) => subscriber.next(v),
          complete: () => subscriber.complete(),
          error: (e: unknown) => {
            if (!isTransientDatabaseError(e) || !this.reads.enabled) return subscriber.error(e);
            // the replica the route read from, when the failure's async scope still names it (it
            // may not: a pooled connection's error can surface outside it); a GET is run again either way
            this.reads.failedOnReplica();
            // the handler's async scope is bound when handle() is called: in a context that allows the primary only
            inner = readContext.run({ primaryOnly: true }, () => next.handle()).subscribe(subscriber);
          },
        }),
      );
      return () => inner.unsubscribe();
    });
  }
}

/** Marks a GET route whose answer may lag the primary by up to DATABASE_REPLICA_MAX_LAG_MS. */
export const ReadsFromReplica = (): MethodDecorator & ClassDecorator => UseInterceptors(ReplicaReadInterceptor);

@Global()
@Module({})
export class ReplicaReadsModule {
  static forRoot(enabled: boolean) {
    return {
      module: ReplicaReadsModule,
      providers: [{ provide: REPLICA_READS_ENABLED, useValue: enabled }, ReplicaReads, ReplicaReadInterceptor],
      exports: [ReplicaReads, ReplicaReadInterceptor],
    };
  }
}
