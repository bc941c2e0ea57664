import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../libs/database';
import { createTestDatabase, TestDatabase } from '../../libs/testing';
import { newId } from '../../src/common/ids';
import { DeliveryStateRepository } from '../../src/modules/deliveries/delivery-state.repository';
import { EventWriter } from '../../src/modules/events/event-writer';
import type { NewDelivery } from '../../src/modules/events/routing/delivery-plan';

/**
 * The delivery state machine against the real PostgreSQL: claims are exclusive, stale jobs
 * cannot move a delivery, lost leases are recovered, routing is idempotent.
 */
describe('DeliveryStateRepository (integration)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let repo: DeliveryStateRepository;
  let writer: EventWriter;
  let projectId: string;
  let endpointId: string;

  async function newEvent(): Promise<string> {
    const id = newId();
    await ds.query(`INSERT INTO events (id, project_id, event_type, target, raw) VALUES ($1, $2, 'x', '{"kind":"endpoint"}', '{"a":1}')`, [id, projectId]);
    return id;
  }

  function row(_eventId: string, subscriptionId = 'sub1', retryLimit = 3): NewDelivery {
    return { id: newId(), endpointId, subscriptionId, deliveryMode: 'at_least_once', retryLimit };
  }

  /** A routing pass written by the events module's writer, as a replay writes it. */
  function route(eventId: string, routeSeq: number, deliveries: NewDelivery[]): Promise<{ id: string; endpoint_id: string }[]> {
    return writer.route({ eventId, routeSeq, deliveries });
  }

  beforeAll(async () => {
    db = await createTestDatabase('state');
    ds = new DataSource({ ...buildDataSourceOptions({ databaseUrl: db.url, databasePoolSize: 4, databaseStatementTimeoutMs: 0 }), entities: [] });
    await ds.initialize();
    repo = new DeliveryStateRepository(ds);
    writer = new EventWriter(ds);
    projectId = newId();
    endpointId = newId();
    await ds.query(`INSERT INTO projects (id, name, type, config) VALUES ($1, 'p', 'outgoing', '{}')`, [projectId]);
    await ds.query(`INSERT INTO endpoints (id, project_id, name, url) VALUES ($1, $2, 'e', 'http://127.0.0.1:1/')`, [endpointId, projectId]);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('routes idempotently and marks the event in the same statement', async () => {
    const eventId = await newEvent();
    const first = await route(eventId, 0, [row(eventId, 'a'), row(eventId, 'b')]);
    expect(first).toHaveLength(2);
    const again = await route(eventId, 0, [row(eventId, 'a'), row(eventId, 'b')]);
    expect(again).toHaveLength(0);
    const [ev] = await ds.query(`SELECT status, routed_at FROM events WHERE id = $1`, [eventId]);
    expect(ev.status).toBe('Processing');
    expect(ev.routed_at).not.toBeNull();
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM event_deliveries WHERE event_id = $1`, [eventId]);
    expect(n).toBe(2);
  });

  it('lets exactly one of many concurrent claimers win, and ignores a stale generation', async () => {
    const eventId = await newEvent();
    const [d] = await route(eventId, 0, [row(eventId)]);
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => repo.claim(d.id, 0, `w${i}`, 30_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(claims.find(Boolean)!.raw).toBe('{"a":1}');

    const eventId2 = await newEvent();
    const [d2] = await route(eventId2, 0, [row(eventId2)]);
    expect(await repo.claim(d2.id, 7, 'w', 30_000)).toBeUndefined();
  });

  it('shares one statement between concurrent claims and records, each caller getting its own row', async () => {
    const other = new DeliveryStateRepository(ds); // another worker process, racing for the same rows
    const made = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const eventId = await newEvent();
        const [d] = await route(eventId, 0, [row(eventId)]);
        return { eventId, id: d.id };
      }),
    );
    const [mine, theirs] = await Promise.all([
      Promise.all(made.map((m) => repo.claim(m.id, 0, 'me', 30_000))),
      Promise.all(made.map((m) => other.claim(m.id, 0, 'them', 30_000))),
    ]);
    // each delivery went to exactly one of the two, with its own payload
    made.forEach((m, i) => {
      expect([mine[i], theirs[i]].filter(Boolean)).toHaveLength(1);
      expect((mine[i] ?? theirs[i])!.id).toBe(m.id);
    });
    const claimed = made.map((m, i) => ({ ...m, d: (mine[i] ?? theirs[i])!, owner: mine[i] ? 'me' : 'them', r: mine[i] ? repo : other }));
    const attempt = (ok: boolean) => ({
      id: newId(),
      url: 'http://x/',
      ipAddress: '127.0.0.1',
      requestHeaders: { 'x-n': '1' },
      responseHeaders: {},
      httpStatus: ok ? '200' : '500',
      responseData: '',
      error: '',
      errorClass: ok ? '' : 'http_5xx',
      ok,
      durationMs: 1,
      requestedAt: new Date(),
      respondedAt: new Date(),
    });
    // even ones succeed (and settle their event), odd ones go to Retry
    const gens = await Promise.all(
      claimed.map((c, i) =>
        c.r.recordAttempt(
          c.d,
          c.owner,
          attempt(i % 2 === 0),
          i % 2 === 0
            ? { status: 'Success', nextAttemptAt: null, description: 'ok', bumpGeneration: false }
            : { status: 'Retry', nextAttemptAt: new Date(Date.now() + 60_000), description: 'again', bumpGeneration: true },
        ),
      ),
    );
    expect(gens).toEqual(claimed.map((_, i) => (i % 2 === 0 ? 0 : 1)));
    const states: { id: string; status: string; attempts: number; ev: string; n: number }[] = await ds.query(
      `SELECT d.id, d.status, d.attempts, e.status AS ev, (SELECT count(*)::int FROM delivery_attempts a WHERE a.event_delivery_id = d.id) AS n
       FROM event_deliveries d JOIN events e ON e.id = d.event_id WHERE d.id = ANY($1)`,
      [made.map((m) => m.id)],
    );
    const byId = new Map(states.map((x) => [x.id, x]));
    made.forEach((m, i) => {
      expect(byId.get(m.id)).toEqual({ id: m.id, status: i % 2 === 0 ? 'Success' : 'Retry', attempts: 1, ev: i % 2 === 0 ? 'Success' : 'Processing', n: 1 });
    });
  });

  it('records an attempt and the next state together, only for the lease owner', async () => {
    const eventId = await newEvent();
    const [d] = await route(eventId, 0, [row(eventId)]);
    const claimed = (await repo.claim(d.id, 0, 'owner', 30_000))!;
    const attempt = {
      id: newId(),
      url: 'http://x/',
      ipAddress: '',
      requestHeaders: {},
      responseHeaders: {},
      httpStatus: '500',
      responseData: '',
      error: 'boom',
      errorClass: 'http_5xx',
      ok: false,
      durationMs: 3,
      requestedAt: new Date(),
      respondedAt: new Date(),
    };
    const next = new Date(Date.now() + 60_000);
    expect(
      await repo.recordAttempt(claimed, 'intruder', attempt, { status: 'Retry', nextAttemptAt: next, description: 'x', bumpGeneration: true }),
    ).toBeUndefined();
    const gen = await repo.recordAttempt(
      claimed,
      'owner',
      { ...attempt, id: newId() },
      { status: 'Retry', nextAttemptAt: next, description: 'x', bumpGeneration: true },
    );
    expect(gen).toBe(1);
    const [state] = await ds.query(`SELECT status, attempts, generation, lease_owner FROM event_deliveries WHERE id = $1`, [d.id]);
    expect(state).toEqual({ status: 'Retry', attempts: 1, generation: 1, lease_owner: null });
    // the job of the old generation can no longer claim it, even when due
    await ds.query(`UPDATE event_deliveries SET next_attempt_at = now() WHERE id = $1`, [d.id]);
    expect(await repo.claim(d.id, 0, 'late', 30_000)).toBeUndefined();
    expect(await repo.claim(d.id, 1, 'next', 30_000)).toBeDefined();
  });

  it('recovers an expired lease under a new generation, and fails at_most_once instead of resending', async () => {
    const eventId = await newEvent();
    const [a] = await route(eventId, 0, [row(eventId, 'a'), { ...row(eventId, 'b'), deliveryMode: 'at_most_once', retryLimit: 1 }]);
    const both = await ds.query(`SELECT id, delivery_mode FROM event_deliveries WHERE event_id = $1`, [eventId]);
    for (const r of both) await repo.claim(r.id, 0, 'dead-worker', 1);
    await new Promise((r) => setTimeout(r, 20));
    const recovered = await repo.recoverExpiredLeases(100);
    expect(recovered.map((r) => r.id)).toContain(a.id);
    const states = await ds.query(`SELECT delivery_mode, status, generation FROM event_deliveries WHERE event_id = $1 ORDER BY delivery_mode`, [eventId]);
    expect(states).toEqual([
      { delivery_mode: 'at_least_once', status: 'Retry', generation: 1 },
      { delivery_mode: 'at_most_once', status: 'Failure', generation: 1 },
    ]);
  });

  /** An event with `n` deliveries written as ingest writes it (so it counts its deliveries in flight). */
  async function ingested(n: number): Promise<{ eventId: string; ids: string[] }> {
    const eventId = newId();
    const deliveries = Array.from({ length: n }, (_, i) => row(eventId, `fan-${i}`));
    await writer.write({
      id: eventId,
      projectId,
      eventType: 'x',
      target: { kind: 'fanout', owner_id: 'o' },
      endpoints: [endpointId],
      sourceId: null,
      idempotencyKey: null,
      brokerMessageId: null,
      headers: {},
      raw: '{"a":1}',
      urlQueryParams: '',
      urlPath: '',
      deliveries,
    });
    return { eventId, ids: deliveries.map((d) => d.id) };
  }

  const ended = (status: 'Success' | 'Failure') => ({ status, nextAttemptAt: null, description: status, bumpGeneration: false });
  const eventOf = async (id: string): Promise<{ status: string; pending: number | null }> =>
    (await ds.query(`SELECT status, pending FROM events WHERE id = $1`, [id]))[0];

  it('settles a fan-out event by its count when its siblings end at once in two pods, Failure if one failed', async () => {
    const other = new DeliveryStateRepository(ds);
    for (const failing of [false, true]) {
      const { eventId, ids } = await ingested(6);
      expect(await eventOf(eventId)).toEqual({ status: 'Processing', pending: 6 });
      const claims = await Promise.all(ids.map((id, i) => (i % 2 ? repo : other).claim(id, 0, `w${i % 2}`, 30_000)));
      expect(claims.every((c) => c?.counted === true)).toBe(true);
      // five end; the event waits for the sixth
      await Promise.all(
        claims.slice(0, 5).map((c, i) => (i % 2 ? repo : other).recordAttempt(c!, `w${i % 2}`, null, ended(failing && i === 2 ? 'Failure' : 'Success'))),
      );
      expect(await eventOf(eventId)).toEqual({ status: 'Processing', pending: 1 });
      await other.recordAttempt(claims[5]!, 'w1', null, ended('Success'));
      expect(await eventOf(eventId)).toEqual({ status: failing ? 'Failure' : 'Success', pending: 0 });
    }
  });

  it('settles the locking way once a sibling was resent or recovered, so the count never strands an event', async () => {
    const { eventId, ids } = await ingested(3);
    const [a, b, c] = await Promise.all(ids.map((id) => repo.claim(id, 0, 'w', 30_000)));
    await repo.recordAttempt(a!, 'w', null, ended('Failure'));
    // the failed sibling is resent while the others are in flight: the count is dropped
    await repo.resend(projectId, [a!.id], ['Failure']);
    expect(await eventOf(eventId)).toEqual({ status: 'Processing', pending: null });
    // b was claimed while counted: its record finds the count gone and settles by lock (nothing to settle yet)
    await repo.recordAttempt(b!, 'w', null, ended('Success'));
    await repo.recordAttempt(c!, 'w', null, ended('Success'));
    expect((await eventOf(eventId)).status).toBe('Processing');
    const again = (await repo.claim(a!.id, 1, 'w', 30_000))!;
    expect(again.counted).toBe(false);
    await repo.recordAttempt(again, 'w', null, ended('Success'));
    expect((await eventOf(eventId)).status).toBe('Success');

    // a lease recovered to Failure drops the count too, and its event still settles
    const two = await ingested(2);
    const [x, y] = await Promise.all(two.ids.map((id) => repo.claim(id, 0, 'w', 30_000)));
    await ds.query(`UPDATE event_deliveries SET lease_until = now() - interval '1 second', retry_limit = 1 WHERE id = $1`, [x!.id]);
    await repo.recoverExpiredLeases(100);
    expect(await eventOf(two.eventId)).toEqual({ status: 'Processing', pending: null });
    await repo.recordAttempt(y!, 'w', null, ended('Success'));
    expect((await eventOf(two.eventId)).status).toBe('Failure');
  });

  it('settles the event when a lost lease ends its last delivery', async () => {
    const eventId = await newEvent();
    const [d] = await route(eventId, 0, [{ ...row(eventId, 'only'), retryLimit: 1 }]);
    await repo.claim(d.id, 0, 'dead-worker', 1);
    await new Promise((r) => setTimeout(r, 20));
    await repo.recoverExpiredLeases(100);
    const [ev] = await ds.query(`SELECT status FROM events WHERE id = $1`, [eventId]);
    expect(ev.status).toBe('Failure');
  });

  it('bumps generations only for rows still at the generation seen', async () => {
    const eventId = await newEvent();
    const [d] = await route(eventId, 0, [row(eventId)]);
    const w = { id: d.id, generation: 0, endpoint_id: endpointId, project_id: projectId, attempts: 0 };
    const [x, y] = await Promise.all([repo.bumpGenerations([w]), repo.bumpGenerations([w])]);
    expect(x.length + y.length).toBe(1);
  });
});
