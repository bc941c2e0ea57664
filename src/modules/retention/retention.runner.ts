import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import type { PurgeBatch, PurgeWindow } from '../../../libs/database/purge';
import { HealthMetrics } from '../../../libs/observability/metrics';
import { idFloor } from '../../common/ids';
import { DeliveriesRetention } from '../deliveries';
import { EventsRetention } from '../events';
import { MetaEventsRetention } from '../meta-events';
import { ProjectsService } from '../projects';
import { RetentionExport } from './retention-export';
import { projectRetentionMs } from './retention-policy';

/** The advisory lock every retention run takes: one run at a time in the whole cluster. */
export const RETENTION_LOCK: readonly [number, number] = [0x43617261, 0x726574];

/** Bounds a run's loops whatever the table sizes: batches per table and project, projects per page walk. */
const MAX_BATCHES = 1_000_000;
const PROJECT_PAGE = 100;
const MAX_PROJECT_PAGES = 100_000;

/** What each owner module gives retention: its tables and a bounded purge step over them. */
interface RetentionOwner {
  readonly tables: readonly string[];
  purgeBatch(w: PurgeWindow): Promise<PurgeBatch>;
  countPurgeable(projectId: string, beforeId: string): Promise<Record<string, number>>;
}

export interface RetentionReport {
  /** `locked`: another run held the lock, this one did nothing */
  skipped?: 'locked';
  dryRun: boolean;
  startedAt: Date;
  durationMs: number;
  projects: number;
  /** rows removed per table (with dryRun: rows a run would remove now) */
  removed: Record<string, number>;
  exported: string[];
  /** projects whose purge stopped on an error (they are tried again next run) */
  failedProjects: number;
}

/**
 * One retention run: for every project with a policy, each owner purges its own rows
 * older than the policy, children first (attempts and deliveries, then events, then meta
 * events), in batches of RETENTION_BATCH_SIZE with RETENTION_BATCH_PAUSE_MS between them.
 * A run holds an advisory lock for its whole length, so two never purge at once.
 */
@Injectable()
export class RetentionRunner {
  private readonly logger = new Logger('Retention');
  private readonly owners: RetentionOwner[];
  private stopping = false;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly ds: DataSource,
    private readonly projects: ProjectsService,
    private readonly metrics: HealthMetrics,
    deliveries: DeliveriesRetention,
    events: EventsRetention,
    metaEvents: MetaEventsRetention,
  ) {
    this.owners = [deliveries, events, metaEvents];
  }

  /** Ends a run in flight after its current batch (shutdown). */
  stop(): void {
    this.stopping = true;
  }

  async run(opts: { dryRun?: boolean } = {}): Promise<RetentionReport> {
    const startedAt = new Date();
    const report: RetentionReport = { dryRun: opts.dryRun === true, startedAt, durationMs: 0, projects: 0, removed: {}, exported: [], failedProjects: 0 };
    for (const o of this.owners) for (const t of o.tables) report.removed[t] = 0;
    const session = this.ds.createQueryRunner();
    await session.connect();
    try {
      const [{ locked }] = (await session.query('SELECT pg_try_advisory_lock($1, $2) AS locked', [...RETENTION_LOCK])) as { locked: boolean }[];
      if (!locked) return { ...report, skipped: 'locked' };
      try {
        await this.runLocked(report);
      } finally {
        await session.query('SELECT pg_advisory_unlock($1, $2)', [...RETENTION_LOCK]);
      }
    } finally {
      await session.release();
    }
    report.durationMs = Date.now() - startedAt.getTime();
    if (!report.dryRun) this.metrics.retentionRan(report.removed, new Date(), report.durationMs);
    return report;
  }

  private async runLocked(report: RetentionReport): Promise<void> {
    const exporter = this.config.retentionExportDir && !report.dryRun ? new RetentionExport(this.config.retentionExportDir, report.startedAt) : undefined;
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PROJECT_PAGES && !this.stopping; page++) {
      const rows = await this.projects.list({ perPage: PROJECT_PAGE, direction: 'next', cursor });
      for (const p of rows.slice(0, PROJECT_PAGE)) {
        if (this.stopping) break;
        const keepMs = projectRetentionMs(p.config.retention_policy, this.config.retentionPolicy);
        if (keepMs <= 0) continue;
        report.projects++;
        const beforeId = idFloor(new Date(report.startedAt.getTime() - keepMs));
        try {
          if (report.dryRun) await this.count(p.id, beforeId, report);
          else await this.purge(p.id, beforeId, report, exporter);
        } catch (e) {
          report.failedProjects++;
          this.logger.warn({ project: p.id, err: (e as Error).message }, 'retention stopped for a project; the next run goes on');
        }
      }
      if (rows.length <= PROJECT_PAGE) break;
      cursor = rows[PROJECT_PAGE - 1].id;
    }
    report.exported = exporter ? [...exporter.files.values()] : [];
  }

  private async count(projectId: string, beforeId: string, report: RetentionReport): Promise<void> {
    for (const owner of this.owners) {
      for (const [t, n] of Object.entries(await owner.countPurgeable(projectId, beforeId))) report.removed[t] += n;
    }
  }

  private async purge(projectId: string, beforeId: string, report: RetentionReport, exporter?: RetentionExport): Promise<void> {
    for (const owner of this.owners) {
      let afterId = '';
      for (let i = 0; i < MAX_BATCHES && !this.stopping; i++) {
        const batch = await owner.purgeBatch({ projectId, afterId, beforeId, limit: this.config.retentionBatchSize, archive: exporter?.archive });
        for (const [t, n] of Object.entries(batch.removed)) report.removed[t] += n;
        if (batch.lastId === null) break;
        afterId = batch.lastId;
        if (this.config.retentionBatchPauseMs > 0) await sleep(this.config.retentionBatchPauseMs);
      }
    }
  }
}
