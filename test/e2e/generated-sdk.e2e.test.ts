import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ApiHarness, startApiHarness, TEST_ADMIN_KEY, WebhookSink, waitUntil } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';

/* The generated client is produced at test time, so its types are not visible to the checker here. */
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports */

type Sdk = Record<string, (opts: any) => Promise<{ data?: any; error?: any; response: Response }>> & { createClient: (cfg: object) => unknown };

/**
 * Our users call Caravan through clients generated from the OpenAPI document. This suite
 * generates one from the checked-in openapi.json and walks a newcomer's path with it, so a
 * document that compiles but describes the API wrongly fails here.
 */
describe('a client generated from openapi.json (e2e)', () => {
  const root = join(__dirname, '..', '..');
  const out = join(root, 'test', '.tmp', `sdk-${process.pid}`);
  let h: ApiHarness;
  let sdk: Sdk;
  let client: unknown;
  let worker: { close(): Promise<void> };
  const sink = new WebhookSink();

  beforeAll(async () => {
    mkdirSync(out, { recursive: true });
    execFileSync(process.execPath, [join(root, 'node_modules', '@hey-api', 'openapi-ts', 'bin', 'run.js'), '-i', join(root, 'openapi.json'), '-o', out, '-s'], {
      stdio: 'pipe',
    });
    sdk = { ...require(join(out, 'index.ts')), createClient: require(join(out, 'client', 'index.ts')).createClient } as Sdk;
    await sink.start();
    h = await startApiHarness(createApiApp, { egressAllow: [sink.allowEntry] });
    worker = await createWorkerApp({ config: h.config });
    await h.app.listen(0, '127.0.0.1');
    const port = (h.app.getHttpServer().address() as { port: number }).port;
    client = sdk.createClient({ baseUrl: `http://127.0.0.1:${port}` });
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await h?.close();
    await sink.stop();
    rmSync(out, { recursive: true, force: true });
  });

  it('creates a project, endpoint and subscription, sends an event and reads its delivery', async () => {
    const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
    const created = await sdk.projectsCreate({
      client,
      headers: admin,
      body: { name: 'sdk', type: 'outgoing', config: { ssl: { enforce_secure_endpoints: false } } },
    });
    expect(created.response.status).toBe(201);
    const projectID = created.data.data.project.uid as string;
    const auth = { Authorization: `Bearer ${created.data.data.api_key.key as string}` };

    const ep = await sdk.endpointsCreate({ client, headers: auth, path: { projectID }, body: { name: 'r', url: `${sink.url}/in` } });
    expect(ep.response.status).toBe(201);
    const endpoint_id = ep.data.data.uid as string;
    const sub = await sdk.subscriptionsCreate({
      client,
      headers: auth,
      path: { projectID },
      body: { name: 's', endpoint_id, filter_config: { event_types: ['*'] } },
    });
    expect(sub.response.status).toBe(201);

    const ev = await sdk.eventsCreate({ client, headers: auth, path: { projectID }, body: { endpoint_id, event_type: 'sdk.ok', data: { via: 'sdk' } } });
    expect(ev.response.status).toBe(201);
    await sink.waitFor((r) => r.length === 1);

    const list = await waitUntil('a successful delivery', async () => {
      const res = await sdk.deliveriesList({ client, headers: auth, path: { projectID }, query: { eventId: ev.data.data.uid } });
      return res.data?.data.content[0]?.status === 'Success' && res.data.data;
    });
    expect(list.pagination.per_page).toBe(20);

    const missing = await sdk.endpointsGet({ client, headers: auth, path: { projectID, endpointID: 'nope' } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ status: false, code: expect.any(String) });
  });
});
