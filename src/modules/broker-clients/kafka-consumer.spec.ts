import type { ConsumerRunConfig, EachMessagePayload, KafkaMessage, TopicPartitionOffset, TopicPartitionOffsetAndMetadata } from 'kafkajs';
import type { BrokerMessage, KafkaSettings, Settlement } from './broker-settings';
import { KafkaBrokerConsumer, KafkaClientConsumer } from './kafka-consumer';

/**
 * No Kafka broker runs here, so the consumer is driven through a fake kafkajs consumer
 * that keeps the rules kafkajs documents and implements: each partition is fetched in
 * batches from the group's committed offset, messages of a partition are handed to
 * eachMessage one at a time in offset order, a seek or a pause ends the current batch for
 * that partition (the next fetch starts at the sought offset), and nothing is committed
 * unless commitOffsets is called (autoCommit off).
 */
class FakeGroup {
  readonly committed = new Map<number, number>();
  readonly commits: { partition: number; offset: number }[] = [];
  constructor(readonly log: Map<number, string[]>) {}
}

class FakeKafkaConsumer implements KafkaClientConsumer {
  private stopped = false;
  private readonly paused = new Set<number>();
  private readonly seeks = new Map<number, number>();
  private loops: Promise<void>[] = [];

  constructor(
    private readonly group: FakeGroup,
    private readonly topic: string,
    private readonly batchSize = 3,
  ) {}

  connect = (): Promise<void> => Promise.resolve();
  subscribe = (): Promise<void> => Promise.resolve();

  run = (config?: ConsumerRunConfig): Promise<void> => {
    for (const partition of this.group.log.keys()) this.loops.push(this.consume(partition, config!.eachMessage!));
    return Promise.resolve();
  };

  commitOffsets = (offsets: TopicPartitionOffsetAndMetadata[]): Promise<void> => {
    for (const o of offsets) {
      this.group.committed.set(o.partition, Number(o.offset));
      this.group.commits.push({ partition: o.partition, offset: Number(o.offset) });
    }
    return Promise.resolve();
  };

  seek = (o: TopicPartitionOffset): void => {
    this.seeks.set(o.partition, Number(o.offset));
  };

  pause = (topics: { topic: string; partitions?: number[] }[]): void => {
    for (const t of topics) for (const p of t.partitions ?? []) this.paused.add(p);
  };

  resume = (topics: { topic: string; partitions?: number[] }[]): void => {
    for (const t of topics) for (const p of t.partitions ?? []) this.paused.delete(p);
  };

  stop = async (): Promise<void> => {
    this.stopped = true;
    await Promise.all(this.loops);
  };

  disconnect = (): Promise<void> => this.stop();

  private async consume(partition: number, eachMessage: (p: EachMessagePayload) => Promise<void>): Promise<void> {
    const log = this.group.log.get(partition)!;
    let position = this.group.committed.get(partition) ?? 0;
    for (let rounds = 0; !this.stopped && rounds < 10_000; rounds++) {
      const sought = this.seeks.get(partition);
      if (sought !== undefined) {
        this.seeks.delete(partition);
        position = sought;
      }
      if (this.paused.has(partition) || position >= log.length) {
        await new Promise((r) => setTimeout(r, 2));
        continue;
      }
      const start = position;
      for (const [i, value] of log.slice(start, start + this.batchSize).entries()) {
        if (this.stopped || this.paused.has(partition) || this.seeks.has(partition)) break;
        const offset = start + i;
        const message = { offset: String(offset), value: Buffer.from(value), headers: { 'x-part': String(partition) } } as unknown as KafkaMessage;
        await eachMessage({ topic: this.topic, partition, message, heartbeat: () => Promise.resolve(), pause: () => () => undefined });
        if (!this.seeks.has(partition)) position = offset + 1;
      }
    }
  }
}

const settings: KafkaSettings = { brokers: ['127.0.0.1:9092'], consumer_group_id: 'g', topic_name: 'orders', auth: null };
const quiet = { warn: () => undefined, log: () => undefined };

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('Kafka consumer (kafkajs semantics, no broker)', () => {
  it('commits one offset at a time, after the handler, and never past a message that failed', async () => {
    const group = new FakeGroup(new Map([[0, ['m0', 'm1', 'm2', 'm3', 'm4']]]));
    const seen: BrokerMessage[] = [];
    let failures = 0;
    const handler = (m: BrokerMessage): Promise<Settlement> => {
      seen.push(m);
      if (m.body.toString() === 'm2' && failures < 3) {
        failures++;
        // while m2 keeps failing, the group's position stays at it
        expect(Math.max(0, ...group.commits.map((c) => c.offset))).toBeLessThanOrEqual(2);
        return Promise.resolve('retry');
      }
      return Promise.resolve('ack');
    };
    const consumer = new KafkaBrokerConsumer(
      settings,
      4,
      handler,
      quiet,
      () => 5,
      () => new FakeKafkaConsumer(group, 'orders'),
    );
    consumer.start();
    await until('all committed', () => group.committed.get(0) === 5);
    await consumer.stop();
    expect(seen.map((m) => m.body.toString())).toEqual(['m0', 'm1', 'm2', 'm2', 'm2', 'm2', 'm3', 'm4']);
    expect(group.commits.map((c) => c.offset)).toEqual([1, 2, 3, 4, 5]);
    expect(seen[2].messageId).toBe('orders:0:2');
    expect(seen[5].messageId).toBe('orders:0:2');
    expect(seen[0].headers).toEqual({ 'x-part': '0' });
  });

  it('a rejected message is committed past (it was recorded); a restarted member resumes at the committed offset', async () => {
    const group = new FakeGroup(
      new Map([
        [0, ['a0', 'bad', 'a2']],
        [1, ['b0', 'b1']],
      ]),
    );
    const seen: string[] = [];
    let block = true;
    const first = new KafkaBrokerConsumer(
      settings,
      4,
      (m) => {
        seen.push(m.body.toString());
        // partition 1 stays unfinished in the first member
        if (m.body.toString() === 'b1' && block) return Promise.resolve('retry');
        // `bad` stands for a message the handler recorded as rejected: settled like any other
        return Promise.resolve('ack');
      },
      quiet,
      () => 1000,
      () => new FakeKafkaConsumer(group, 'orders'),
    );
    first.start();
    await until('partition 0 done, b1 failed once', () => group.committed.get(0) === 3 && seen.includes('b1'));
    await first.stop();
    expect(group.committed.get(1)).toBe(1);

    block = false;
    const again: string[] = [];
    const second = new KafkaBrokerConsumer(
      settings,
      4,
      (m) => {
        again.push(m.body.toString());
        return Promise.resolve('ack');
      },
      quiet,
      () => 5,
      () => new FakeKafkaConsumer(group, 'orders'),
    );
    second.start();
    await until('partition 1 done', () => group.committed.get(1) === 2);
    await second.stop();
    // only the uncommitted message comes again, nothing already committed
    expect(again).toEqual(['b1']);
  });
});
