import { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { BrokerConsumer, BrokerUnreachable, ConsumerLog, GoogleSettings, MessageHandler, reconnectDelay, sleep, withTimeout } from './broker-settings';

const CHECK_TIMEOUT_MS = 10_000;
const STOP_WAIT_MS = 10_000;

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A client for the settings; with PUBSUB_EMULATOR_HOST set the Google library talks to the emulator instead. */
function client(s: GoogleSettings): PubSub {
  const credentials = s.service_account ? (JSON.parse(s.service_account) as { client_email: string; private_key: string }) : undefined;
  return new PubSub({ projectId: s.project_id, ...(credentials ? { credentials } : {}) });
}

/** Reads the subscription's settings with the given credentials; throws BrokerUnreachable with Google's reason. */
export async function checkGoogle(s: GoogleSettings): Promise<void> {
  let ps: PubSub | undefined;
  try {
    ps = client(s);
    await withTimeout('pubsub subscription look-up', CHECK_TIMEOUT_MS, ps.subscription(s.subscription_id).getMetadata());
  } catch (e) {
    throw e instanceof BrokerUnreachable ? e : new BrokerUnreachable(reason(e));
  } finally {
    await ps?.close().catch(() => undefined);
  }
}

/**
 * One Google Pub/Sub streaming-pull subscriber, at most `prefetch` messages leased. A
 * message is acked (and, with exactly-once delivery, the ack confirmed) only once its
 * handler says it is stored; `retry` is a nack. Pub/Sub dead-letters through the
 * subscription's own policy, so permanent failures are recorded by the handler and acked.
 */
export class GoogleConsumer implements BrokerConsumer {
  readonly deadLetters = false;
  private readonly stopping = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private loop?: Promise<void>;
  private subscription?: Subscription;

  constructor(
    private readonly s: GoogleSettings,
    private readonly prefetch: number,
    private readonly handler: MessageHandler,
    private readonly log: ConsumerLog,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.subscription?.close().catch(() => undefined);
    await withTimeout('pubsub drain', STOP_WAIT_MS, Promise.allSettled([...this.inFlight])).catch(() => undefined);
    await this.loop;
  }

  /** Pub/Sub reports backlog through Cloud Monitoring only. */
  lag(): Promise<number | undefined> {
    return Promise.resolve(undefined);
  }

  private async run(): Promise<void> {
    for (let attempt = 0; !this.stopping.signal.aborted; attempt++) {
      const ps = client(this.s);
      try {
        await this.session(ps, () => (attempt = 0));
      } catch (e) {
        if (!this.stopping.signal.aborted) this.log.warn(`pubsub subscription ${this.s.subscription_id}: ${reason(e)}; reconnecting`);
      } finally {
        await ps.close().catch(() => undefined);
      }
      await sleep(reconnectDelay(attempt), this.stopping.signal);
    }
  }

  private session(ps: PubSub, connected: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const sub = ps.subscription(this.s.subscription_id, { flowControl: { maxMessages: this.prefetch, allowExcessMessages: false } });
      this.subscription = sub;
      sub.on('message', (m: Message) => {
        connected();
        this.track(m);
      });
      sub.on('error', (e: Error) => {
        void sub.close().catch(() => undefined);
        reject(e);
      });
      sub.on('close', () => resolve());
      if (this.stopping.signal.aborted) void sub.close();
    });
  }

  private track(m: Message): void {
    const p = this.handle(m).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async handle(m: Message): Promise<void> {
    let settle;
    try {
      settle = await this.handler({ body: m.data, headers: { ...m.attributes }, messageId: m.id, redelivered: m.deliveryAttempt > 1 });
    } catch (e) {
      this.log.warn(`pubsub subscription ${this.s.subscription_id}: handler failed: ${reason(e)}`);
      settle = 'retry' as const;
    }
    try {
      if (settle === 'retry') m.nack();
      else await m.ackWithResponse();
    } catch (e) {
      // not acked: Pub/Sub redelivers after the ack deadline, and the event it became is found again by its message id
      this.log.warn(`pubsub subscription ${this.s.subscription_id}: could not ack a message: ${reason(e)}`);
    }
  }
}
