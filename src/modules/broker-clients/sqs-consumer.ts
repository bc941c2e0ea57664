import { DeleteMessageCommand, GetQueueAttributesCommand, GetQueueUrlCommand, Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BrokerConsumer, BrokerUnreachable, ConsumerLog, MessageHandler, reconnectDelay, sleep, SqsSettings, withTimeout } from './broker-settings';

const CHECK_TIMEOUT_MS = 10_000;
const STOP_WAIT_MS = 10_000;
/** long polling: an idle queue costs one request per this many seconds */
const WAIT_SECONDS = 10;

function reason(e: unknown): string {
  return e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
}

function client(s: SqsSettings): SQSClient {
  return new SQSClient({
    region: s.default_region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    credentials: { accessKeyId: s.access_key_id, secretAccessKey: s.secret_key },
    maxAttempts: 2,
  });
}

/** Finds the queue with the given credentials; throws BrokerUnreachable with AWS's reason. */
export async function checkSqs(s: SqsSettings): Promise<void> {
  const c = client(s);
  try {
    await withTimeout('sqs queue look-up', CHECK_TIMEOUT_MS, c.send(new GetQueueUrlCommand({ QueueName: s.queue_name })));
  } catch (e) {
    throw e instanceof BrokerUnreachable ? e : new BrokerUnreachable(reason(e));
  } finally {
    c.destroy();
  }
}

/**
 * One SQS long-polling consumer, at most `prefetch` messages (10 per receive) in hand. A
 * message is deleted only once its handler says it is stored; `retry` leaves it to come
 * back after the queue's visibility timeout. SQS dead-letters through the queue's own
 * redrive policy, so permanent failures are recorded by the handler and deleted.
 */
export class SqsConsumer implements BrokerConsumer {
  readonly deadLetters = false;
  private readonly stopping = new AbortController();
  private readonly client: SQSClient;
  private queueUrl?: string;
  private readonly inFlight = new Set<Promise<void>>();
  private loop?: Promise<void>;

  constructor(
    private readonly s: SqsSettings,
    private readonly prefetch: number,
    private readonly handler: MessageHandler,
    private readonly log: ConsumerLog,
  ) {
    this.client = client(s);
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await withTimeout('sqs drain', STOP_WAIT_MS, Promise.allSettled([...this.inFlight])).catch(() => undefined);
    await this.loop;
    this.client.destroy();
  }

  async lag(): Promise<number | undefined> {
    if (!this.queueUrl) return undefined;
    try {
      const r = await this.client.send(new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
      const n = Number(r.Attributes?.ApproximateNumberOfMessages);
      return Number.isFinite(n) ? n : undefined;
    } catch {
      return undefined;
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      try {
        this.queueUrl ??= (await this.client.send(new GetQueueUrlCommand({ QueueName: this.s.queue_name }), { abortSignal: this.stopping.signal })).QueueUrl;
        const room = this.prefetch - this.inFlight.size;
        if (room <= 0) {
          await Promise.race(this.inFlight);
          continue;
        }
        const r = await this.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.queueUrl,
            MaxNumberOfMessages: Math.min(10, room),
            WaitTimeSeconds: WAIT_SECONDS,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
          { abortSignal: this.stopping.signal },
        );
        failures = 0;
        for (const m of r.Messages ?? []) this.track(m);
      } catch (e) {
        if (this.stopping.signal.aborted) break;
        this.log.warn(`sqs queue ${this.s.queue_name}: ${reason(e)}; retrying`);
        await sleep(reconnectDelay(failures++), this.stopping.signal);
      }
    }
  }

  private track(m: Message): void {
    const p = this.handle(m).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async handle(m: Message): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) {
      if (v.StringValue !== undefined) headers[k] = v.StringValue;
      else if (v.BinaryValue !== undefined) headers[k] = Buffer.from(v.BinaryValue).toString('base64');
    }
    const redelivered = Number(m.Attributes?.ApproximateReceiveCount ?? '1') > 1;
    let settle;
    try {
      settle = await this.handler({ body: Buffer.from(m.Body ?? '', 'utf8'), headers, messageId: m.MessageId, redelivered });
    } catch (e) {
      this.log.warn(`sqs queue ${this.s.queue_name}: handler failed: ${reason(e)}`);
      settle = 'retry' as const;
    }
    if (settle === 'retry') return;
    try {
      await this.client.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: m.ReceiptHandle }));
    } catch (e) {
      // not deleted: it comes back after the visibility timeout, and the event it became is found again by its message id
      this.log.warn(`sqs queue ${this.s.queue_name}: could not delete a message: ${reason(e)}`);
    }
  }
}
