import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { getCACertificates, setDefaultCACertificates, TLSSocket } from 'node:tls';
import { Client } from 'pg';
import request from 'supertest';
import { createTestPki, PipelineHarness, startPipelineHarness, TEST_ADMIN_KEY, testConfig, TestPki, waitUntil } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';
import { createEgressApp, EgressApp } from '../../src/egress/egress.bootstrap';

type Proj = { id: string; auth: { Authorization: string } };

/** An HTTPS receiver on loopback that only takes requests with a client certificate of the test CA. */
class MtlsSink {
  /** the subject CN of each request's client certificate */
  readonly clients: string[] = [];
  private server?: Server;

  constructor(
    private readonly pki: TestPki,
    private readonly host: string,
  ) {}

  async start(): Promise<string> {
    this.server = createServer({ ...this.pki.server, ca: this.pki.ca.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      this.clients.push(String(peer.subject?.CN ?? ''));
      req.resume();
      req.on('end', () => res.writeHead(200).end('ok'));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, this.host, () => resolve()));
    return `https://${this.host}:${this.port}/hook`;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

const defaultCAs = getCACertificates('default');

describe('endpoint mTLS client certificates (e2e)', () => {
  let pki: TestPki;
  let h: PipelineHarness;
  let db: Client;
  let sink: MtlsSink;
  let url: string;
  const http = () => request(h.api.getHttpServer());

  async function newProject(): Promise<Proj> {
    const res = await http()
      .post('/api/v1/projects')
      .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
      .send({ name: 'mtls', type: 'outgoing', config: { strategy: { type: 'linear', duration: 1, retry_count: 20 } } })
      .expect(201);
    return { id: res.body.data.project.uid as string, auth: { Authorization: `Bearer ${res.body.data.api_key.key as string}` } };
  }

  async function deliveryOf(p: Proj, eventId: string, status: string): Promise<{ uid: string }> {
    return waitUntil(`delivery ${status}`, async () => {
      const list = await http().get(`/api/v1/projects/${p.id}/eventdeliveries?eventId=${eventId}`).set(p.auth);
      const d = list.body.data.content[0] as { uid: string; status: string } | undefined;
      return d && d.status === status && d;
    });
  }

  async function attemptsOf(p: Proj, deliveryId: string): Promise<Record<string, unknown>[]> {
    const res = await http().get(`/api/v1/projects/${p.id}/eventdeliveries/${deliveryId}/deliveryattempts`).set(p.auth).expect(200);
    return res.body.data as Record<string, unknown>[];
  }

  async function send(p: Proj, endpointId: string): Promise<string> {
    const ev = await http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send({ endpoint_id: endpointId, event_type: 'x', data: {} }).expect(201);
    return ev.body.data.uid as string;
  }

  beforeAll(async () => {
    pki = createTestPki();
    // the worker runs in this process: trust the test CA as a real deployment trusts a public one
    setDefaultCACertificates([...defaultCAs, pki.ca.cert]);
    sink = new MtlsSink(pki, '127.0.0.1');
    url = await sink.start();
    h = await startPipelineHarness(createApiApp, createWorkerApp, { egressAllow: [`127.0.0.1:${sink.port}`] });
    db = new Client({ connectionString: h.db.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    try {
      await h?.close();
    } finally {
      await sink?.stop();
      setDefaultCACertificates(defaultCAs);
    }
  });

  it('presents the certificate, keeps its key sealed and out of answers, and records the address', async () => {
    const p = await newProject();
    const ep = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'mtls', url, mtls_client_cert: { client_cert: pki.client.cert, client_key: pki.client.key } })
      .expect(201);
    expect(ep.body.data.mtls_client_cert).toEqual({ client_cert: pki.client.cert, client_key: '[REDACTED]' });
    const keyBody = pki.client.key.split('\n')[1];
    const row = await db.query<{ m: string }>(`SELECT mtls_client_cert::text AS m FROM endpoints WHERE id = $1`, [ep.body.data.uid]);
    expect(row.rows[0].m).not.toContain(keyBody);

    const d = await deliveryOf(p, await send(p, ep.body.data.uid as string), 'Success');
    expect(sink.clients.at(-1)).toBe('caravan-client');
    const [attempt] = await attemptsOf(p, d.uid);
    expect(attempt).toMatchObject({ http_status: '200', ip_address: '127.0.0.1' });
  });

  it('fails without an accepted certificate, and uses the new one once the endpoint changes', async () => {
    const p = await newProject();
    const plain = await http().post(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).send({ name: 'none', url }).expect(201);
    const d0 = await deliveryOf(p, await send(p, plain.body.data.uid as string), 'Retry');
    const [refused] = await attemptsOf(p, d0.uid);
    expect(refused.http_status).toBe('');
    expect(['tls', 'network']).toContain(refused.error_class);

    const before = sink.clients.length;
    const ep = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'stranger', url, mtls_client_cert: { client_cert: pki.stranger.cert, client_key: pki.stranger.key } })
      .expect(201);
    const d = await deliveryOf(p, await send(p, ep.body.data.uid as string), 'Retry');
    expect(sink.clients.length).toBe(before);
    await http()
      .put(`/api/v1/projects/${p.id}/endpoints/${ep.body.data.uid}`)
      .set(p.auth)
      .send({ mtls_client_cert: { client_cert: pki.client.cert, client_key: pki.client.key } })
      .expect(202);
    await waitUntil('the retried delivery succeeds', async () => {
      const one = await http().get(`/api/v1/projects/${p.id}/eventdeliveries/${d.uid}`).set(p.auth);
      return one.body.data.status === 'Success';
    });
    expect(sink.clients.at(-1)).toBe('caravan-client');

    const removed = await http()
      .put(`/api/v1/projects/${p.id}/endpoints/${ep.body.data.uid}`)
      .set(p.auth)
      .send({ mtls_client_cert: { client_cert: '', client_key: '' } })
      .expect(202);
    expect(removed.body.data.mtls_client_cert).toBeNull();
  });

  it('refuses a key that is not the certificate’s, or half a pair, with 400 naming the field', async () => {
    const p = await newProject();
    const mismatch = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'x', url, mtls_client_cert: { client_cert: pki.client.cert, client_key: pki.stranger.key } })
      .expect(400);
    expect({ code: mismatch.body.code, message: mismatch.body.message }).toEqual({
      code: 'invalid_client_certificate',
      message: 'mtls_client_cert.client_key does not match the certificate in mtls_client_cert.client_cert',
    });
    const half = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'x', url, mtls_client_cert: { client_cert: pki.client.cert } })
      .expect(400);
    expect(half.body.message).toBe('mtls_client_cert requires both client_cert and client_key');
    const placeholder = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'x', url, mtls_client_cert: { client_cert: pki.client.cert, client_key: '[REDACTED]' } })
      .expect(400);
    expect(placeholder.body.message).toBe('mtls_client_cert.client_key must be the key itself, not the placeholder answers show');
  });
});

describe('endpoint mTLS through the egress proxy (e2e)', () => {
  let pki: TestPki;
  let h: PipelineHarness;
  let egress: EgressApp;
  let sink: MtlsSink;
  let url: string;
  const http = () => request(h.api.getHttpServer());

  beforeAll(async () => {
    pki = createTestPki();
    setDefaultCACertificates([...defaultCAs, pki.ca.cert]);
    // only the proxy may reach 127.0.0.2: a delivery that arrives went through the tunnel
    sink = new MtlsSink(pki, '127.0.0.2');
    url = await sink.start();
    egress = await createEgressApp(testConfig({ egressHost: '127.0.0.1', egressPort: 0, egressHealthPort: 0, egressAllow: [`127.0.0.2:${sink.port}`] }), {
      options: { shutdownGraceMs: 100 },
    });
    h = await startPipelineHarness(createApiApp, createWorkerApp, {
      egressAllow: ['127.0.0.0/8'],
      egressProxyUrl: `http://127.0.0.1:${egress.address().port}`,
    });
  });
  afterAll(async () => {
    try {
      await h?.close();
    } finally {
      await egress?.close();
      await sink?.stop();
      setDefaultCACertificates(defaultCAs);
    }
  });

  it('presents the certificate end to end inside the tunnel and records the address the proxy dialled', async () => {
    const res = await http()
      .post('/api/v1/projects')
      .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
      .send({ name: 'mtls-proxy', type: 'outgoing', config: { strategy: { type: 'linear', duration: 1, retry_count: 5 } } })
      .expect(201);
    const p = { id: res.body.data.project.uid as string, auth: { Authorization: `Bearer ${res.body.data.api_key.key as string}` } };
    const ep = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'mtls', url, mtls_client_cert: { client_cert: pki.client.cert, client_key: pki.client.key } })
      .expect(201);
    const ev = await http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send({ endpoint_id: ep.body.data.uid, event_type: 'x', data: {} }).expect(201);
    const d = await waitUntil('delivered', async () => {
      const list = await http().get(`/api/v1/projects/${p.id}/eventdeliveries?eventId=${ev.body.data.uid}`).set(p.auth);
      const x = list.body.data.content[0] as { uid: string; status: string } | undefined;
      return x && x.status === 'Success' && x;
    });
    expect(sink.clients).toEqual(['caravan-client']);
    const attempts = await http().get(`/api/v1/projects/${p.id}/eventdeliveries/${d.uid}/deliveryattempts`).set(p.auth).expect(200);
    expect(attempts.body.data[0]).toMatchObject({ http_status: '200', ip_address: '127.0.0.2' });
  });
});
