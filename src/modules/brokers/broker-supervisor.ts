import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { InvalidationBus } from '../../../libs/queue';
import { BrokerAddressRefused, BrokerConsumer, checkBrokerAddresses, createConsumer } from '../broker-clients';
import { ConsumableSource, SourcesService } from '../sources';
import { BrokerIngest } from './broker-ingest';
import { BrokerMetrics } from './broker-metrics';
import { BrokerRejectionsRepository } from './broker-rejections.repository';
import { StoreGate } from './store-gate';

/** A change heard on the bus is applied after this pause, so a burst of edits costs one reload. */
const CHANGE_DEBOUNCE_MS = 200;
const LAG_INTERVAL_MS = 15_000;

interface Running {
  version: string;
  consumers: BrokerConsumer[];
}

/**
 * Worker duty `brokers`: runs a consumer set for every live, enabled pub/sub source. It
 * reloads the sources when one changes (heard through the invalidation bus, at once on
 * this pod and within a round trip on others) and on a slow poll besides, restarting a
 * source's consumers when its row changed and stopping them when it is gone. Every replica
 * runs the same consumers: the brokers share messages among them (a queue's competing
 * consumers, a JetStream durable's pull subscribers), so one message reaches one pod, and
 * the (source, message id) index turns a redelivery into the same event.
 */
@Injectable()
export class BrokerSupervisor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BrokerSupervisor.name);
  private readonly running = new Map<string, Running>();
  private readonly gate: StoreGate;
  private poll?: NodeJS.Timeout;
  private lagTimer?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private syncing: Promise<void> = Promise.resolve();
  private again = false;
  private busy = false;
  private stopped = false;
  private unsubscribe?: () => void;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly sources: SourcesService,
    private readonly ingest: BrokerIngest,
    private readonly metrics: BrokerMetrics,
    private readonly bus: InvalidationBus,
    rejections: BrokerRejectionsRepository,
  ) {
    this.gate = new StoreGate(() => rejections.ping());
  }

  onApplicationBootstrap(): void {
    const offSource = this.bus.on('source', () => this.changed());
    // a deleted project's sources stop with it
    const offProject = this.bus.on('project', () => this.changed());
    this.unsubscribe = () => {
      offSource();
      offProject();
    };
    this.poll = setInterval(() => this.reload(), this.config.brokerSourcePollMs);
    this.lagTimer = setInterval(() => void this.reportLag(), LAG_INTERVAL_MS);
    this.reload();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearInterval(this.poll);
    clearInterval(this.lagTimer);
    clearTimeout(this.debounce);
    this.gate.stop();
    await this.syncing;
    await Promise.all([...this.running.keys()].map((id) => this.stopSource(id)));
  }

  private changed(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.reload(), CHANGE_DEBOUNCE_MS);
  }

  /** One reload at a time; a change during a reload runs one more after it. */
  private reload(): void {
    if (this.stopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.syncing = (async () => {
      do {
        this.again = false;
        try {
          await this.sync(await this.sources.listConsumable());
        } catch (e) {
          // PostgreSQL away: the running consumers go on (they pause on the store gate) until the next poll
          this.logger.warn(`cannot load broker sources: ${(e as Error).message}`);
        }
      } while (this.again && !this.stopped);
      this.busy = false;
    })();
  }

  private async sync(wanted: ConsumableSource[]): Promise<void> {
    const byId = new Map(wanted.map((w) => [w.source.id, w]));
    for (const [id, r] of this.running) {
      const w = byId.get(id);
      if (!w || version(w) !== r.version) await this.stopSource(id);
    }
    for (const w of wanted) {
      if (this.stopped) return;
      if (this.running.has(w.source.id)) continue;
      // checked at write time too; a host may resolve elsewhere since, or BROKER_ALLOW changed
      try {
        await checkBrokerAddresses(w.settings, this.sources.brokerAllow);
      } catch (e) {
        if (!(e instanceof BrokerAddressRefused)) throw e;
        this.logger.warn(`source ${w.source.id} not consumed: ${e.message}`);
        continue;
      }
      this.startSource(w);
    }
  }

  private startSource({ source, settings }: ConsumableSource): void {
    const log = {
      warn: (m: string) => this.logger.warn(`source ${source.id}: ${m}`),
      log: (m: string) => this.logger.log(`source ${source.id}: ${m}`),
    };
    const consumers: BrokerConsumer[] = [];
    for (let i = 0; i < settings.workers; i++) {
      const consumer: BrokerConsumer = createConsumer(settings, (m) => this.ingest.handle(source, consumer.deadLetters, this.gate, m), {
        log,
        retryDelayMs: () => this.gate.retryDelayMs(),
      });
      consumer.start();
      consumers.push(consumer);
    }
    this.running.set(source.id, { version: version({ source, settings }), consumers });
    this.logger.log(`consuming source ${source.id} (${settings.type}, ${settings.workers} consumer(s))`);
  }

  private async stopSource(id: string): Promise<void> {
    const r = this.running.get(id);
    if (!r) return;
    this.running.delete(id);
    await Promise.all(r.consumers.map((c) => c.stop()));
    this.metrics.forget(id);
    this.logger.log(`stopped consuming source ${id}`);
  }

  private async reportLag(): Promise<void> {
    for (const [id, r] of this.running) this.metrics.lag(id, await r.consumers[0]?.lag());
  }
}

/** A source's consumers restart when its row changed (settings, functions, anything). */
function version(w: ConsumableSource): string {
  return w.source.updatedAt.toISOString();
}
