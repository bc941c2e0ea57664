import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import request from 'supertest';
import { PipelineHarness, startPipelineHarness, TEST_ADMIN_KEY, waitUntil, WebhookSink } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';

type Proj = { id: string; auth: { Authorization: string } };
type TokenAnswer = { status: number; body: unknown };

/** A loopback OAuth2 token endpoint: records each form it gets and answers per `answer`. */
class TokenServer {
  readonly forms: URLSearchParams[] = [];
  answer: (form: URLSearchParams, n: number) => TokenAnswer = (_f, n) => ({
    status: 200,
    body: { access_token: `tok-${n + 1}`, token_type: 'bearer', expires_in: 3600 },
  });
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const a = this.answer(form, this.forms.length);
        this.forms.push(form);
        res.writeHead(a.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(a.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/oauth/token`;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

describe('endpoint OAuth2 authentication (e2e)', () => {
  let h: PipelineHarness;
  let db: Client;
  let tokens: TokenServer;
  let tokenUrl: string;
  let sink: WebhookSink;
  /** the token the sink takes; anything else is a 401 */
  let accepted = 'tok-1';
  const http = () => request(h.api.getHttpServer());

  async function newProject(): Promise<Proj> {
    const res = await http()
      .post('/api/v1/projects')
      .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
      .send({
        name: 'oauth',
        type: 'outgoing',
        config: { ssl: { enforce_secure_endpoints: false }, strategy: { type: 'linear', duration: 1, retry_count: 3 } },
      })
      .expect(201);
    return { id: res.body.data.project.uid as string, auth: { Authorization: `Bearer ${res.body.data.api_key.key as string}` } };
  }

  async function endpointWith(p: Proj, oauth2: Record<string, unknown>, path = '/hook'): Promise<string> {
    const ep = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'with-oauth2', url: `${sink.url}${path}`, authentication: { type: 'oauth2', oauth2 } })
      .expect(201);
    return ep.body.data.uid as string;
  }

  async function send(p: Proj, endpointId: string, n: number): Promise<string> {
    const ev = await http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send({ endpoint_id: endpointId, event_type: 'x', data: { n } }).expect(201);
    return ev.body.data.uid as string;
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

  beforeAll(async () => {
    tokens = new TokenServer();
    tokenUrl = await tokens.start();
    sink = new WebhookSink((req) => ({ status: req.headers.authorization === `Bearer ${accepted}` ? 200 : 401 }));
    await sink.start();
    h = await startPipelineHarness(createApiApp, createWorkerApp, { egressAllow: ['127.0.0.1/32'] });
    db = new Client({ connectionString: h.db.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    try {
      await h?.close();
    } finally {
      await sink?.stop();
      await tokens?.stop();
    }
  });

  it('sends the token, reuses it across deliveries, and renews it once after a 401', async () => {
    const p = await newProject();
    const secret = 'client-secret-that-must-stay-sealed';
    const id = await endpointWith(p, {
      url: tokenUrl,
      client_id: 'caravan',
      client_secret: secret,
      authentication_type: 'shared_secret',
      scope: 'webhooks:write',
      audience: 'https://api.example.com',
    });
    const shown = await http().get(`/api/v1/projects/${p.id}/endpoints/${id}`).set(p.auth).expect(200);
    expect(shown.body.data.authentication).toMatchObject({
      type: 'oauth2',
      oauth2: { url: tokenUrl, client_id: 'caravan', client_secret: '[REDACTED]', authentication_type: 'shared_secret', scope: 'webhooks:write' },
    });
    expect(JSON.stringify(shown.body)).not.toContain(secret);
    const row = await db.query<{ a: string }>(`SELECT authentication::text AS a FROM endpoints WHERE id = $1`, [id]);
    expect(row.rows[0].a).not.toContain(secret);

    const first = tokens.forms.length;
    await send(p, id, 1);
    await send(p, id, 2);
    await sink.waitFor((rs) => rs.filter((r) => r.status === 200).length === 2);
    expect(sink.receipts.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-1']);
    expect(tokens.forms.length - first).toBe(1);
    expect(Object.fromEntries(tokens.forms[first])).toEqual({
      grant_type: 'client_credentials',
      client_id: 'caravan',
      client_secret: secret,
      scope: 'webhooks:write',
      audience: 'https://api.example.com',
    });

    // the receiver stops taking tok-1: the next delivery gets a 401, a new token, and goes through
    accepted = 'tok-2';
    const ev = await send(p, id, 3);
    const d = await deliveryOf(p, ev, 'Success');
    expect(sink.receipts.slice(2).map((r) => [r.status, r.headers.authorization])).toEqual([
      [401, 'Bearer tok-1'],
      [200, 'Bearer tok-2'],
    ]);
    expect(tokens.forms.length - first).toBe(2);
    const [attempt] = await attemptsOf(p, d.uid);
    expect(attempt).toMatchObject({ http_status: '200', ip_address: '127.0.0.1' });
    expect((attempt.request_http_header as Record<string, string>).authorization).toBe('[redacted]');
  });

  it('signs a client assertion with the endpoint key and reads a non-standard token answer', async () => {
    const p = await newProject();
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'key-7' };
    const seen: { header: Record<string, unknown>; claims: Record<string, unknown>; valid: boolean }[] = [];
    tokens.answer = (form) => {
      const [hd, cl, sig] = (form.get('client_assertion') ?? '').split('.');
      const valid = verify(
        'sha256',
        Buffer.from(`${hd}.${cl}`),
        { key: createPublicKey({ key: publicKey.export({ format: 'jwk' }), format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
        Buffer.from(sig ?? '', 'base64url'),
      );
      const decode = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Record<string, unknown>;
      seen.push({ header: decode(hd), claims: decode(cl), valid });
      return valid ? { status: 200, body: { data: 'assert-tok', kind: 'Bearer', ttl: 3_600_000 } } : { status: 401, body: { error: 'invalid_client' } };
    };
    accepted = 'assert-tok';
    try {
      const id = await endpointWith(p, {
        url: tokenUrl,
        client_id: 'caravan-jwt',
        authentication_type: 'client_assertion',
        signing_key: jwk,
        signing_algorithm: 'ES256',
        issuer: 'caravan-issuer',
        subject: 'caravan-subject',
        field_mapping: { access_token: 'data', token_type: 'kind', expires_in: 'ttl' },
        expiry_time_unit: 'milliseconds',
      });
      const shown = await http().get(`/api/v1/projects/${p.id}/endpoints/${id}`).set(p.auth).expect(200);
      expect(shown.body.data.authentication.oauth2.signing_key).toEqual({ kty: 'EC', kid: 'key-7', crv: 'P-256', x: jwk.x, y: jwk.y });
      expect(JSON.stringify(shown.body)).not.toContain(jwk.d!);
      const row = await db.query<{ a: string }>(`SELECT authentication::text AS a FROM endpoints WHERE id = $1`, [id]);
      expect(row.rows[0].a).not.toContain(jwk.d!);

      const ev = await send(p, id, 1);
      await deliveryOf(p, ev, 'Success');
      expect(seen).toHaveLength(1);
      expect(seen[0].valid).toBe(true);
      expect(seen[0].header).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'key-7' });
      expect(seen[0].claims).toMatchObject({ iss: 'caravan-issuer', sub: 'caravan-subject', aud: tokenUrl });
      expect(tokens.forms.at(-1)?.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      expect(sink.receipts.at(-1)?.headers.authorization).toBe('Bearer assert-tok');
    } finally {
      tokens.answer = new TokenServer().answer;
    }
  });

  it('records a failing token endpoint as a failed attempt with the reason, and retries', async () => {
    const p = await newProject();
    tokens.answer = () => ({ status: 500, body: { error: 'server_error', error_description: 'down for maintenance' } });
    try {
      const id = await endpointWith(p, { url: tokenUrl, client_id: 'c', client_secret: 's', authentication_type: 'shared_secret' }, '/never');
      const ev = await send(p, id, 1);
      const d = await deliveryOf(p, ev, 'Retry');
      const [attempt] = await attemptsOf(p, d.uid);
      expect(attempt).toMatchObject({
        http_status: '',
        error_class: 'oauth2_token',
        error: 'oauth2 token endpoint answered 500 (server_error: down for maintenance)',
      });
      expect(sink.receipts.filter((r) => r.path === '/never')).toHaveLength(0);
    } finally {
      tokens.answer = new TokenServer().answer;
    }
  });

  it('refuses bad settings with 400 naming the field', async () => {
    const p = await newProject();
    const cases: [Record<string, unknown>, string][] = [
      [{ client_id: 'c', client_secret: 's', authentication_type: 'shared_secret' }, 'authentication.oauth2.url is required'],
      [{ url: tokenUrl, client_secret: 's', authentication_type: 'shared_secret' }, 'authentication.oauth2.client_id is required'],
      [
        { url: tokenUrl, client_id: 'c', authentication_type: 'shared_secret' },
        'authentication.oauth2.client_secret is required for shared_secret authentication',
      ],
      [
        { url: tokenUrl, client_id: 'c', client_secret: 's', authentication_type: 'password' },
        'authentication.oauth2.authentication_type must be shared_secret or client_assertion',
      ],
      [
        { url: tokenUrl, client_id: 'c', authentication_type: 'client_assertion', issuer: 'i', subject: 's' },
        'authentication.oauth2.signing_key is required for client_assertion authentication',
      ],
    ];
    for (const [oauth2, message] of cases) {
      const res = await http()
        .post(`/api/v1/projects/${p.id}/endpoints`)
        .set(p.auth)
        .send({ name: 'x', url: `${sink.url}/x`, authentication: { type: 'oauth2', oauth2 } })
        .expect(400);
      expect({ code: res.body.code, message: res.body.message }).toEqual({ code: 'invalid_authentication', message });
    }
    const denied = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({
        name: 'x',
        url: `${sink.url}/x`,
        authentication: { type: 'oauth2', oauth2: { url: 'http://10.0.0.1/token', client_id: 'c', client_secret: 's', authentication_type: 'shared_secret' } },
      })
      .expect(400);
    expect(denied.body.code).toBe('address_not_allowed');
  });

  it('tests a connection: the token on success, the reason on failure', async () => {
    const p = await newProject();
    const before = Date.now();
    const good = await http()
      .post(`/api/v1/projects/${p.id}/endpoints/oauth2/test`)
      .set(p.auth)
      .send({ oauth2: { url: tokenUrl, client_id: 'c', client_secret: 's', authentication_type: 'shared_secret' } })
      .expect(200);
    expect(good.body.message).toBe('OAuth2 connection test successful');
    expect(good.body.data).toMatchObject({ success: true, token_type: 'Bearer', message: 'OAuth2 connection successful' });
    expect(good.body.data.access_token).toMatch(/^tok-\d+$/);
    expect(Date.parse(good.body.data.expires_at as string)).toBeGreaterThanOrEqual(before + 3_590_000);

    tokens.answer = () => ({ status: 401, body: { error: 'invalid_client' } });
    try {
      const bad = await http()
        .post(`/api/v1/projects/${p.id}/endpoints/oauth2/test`)
        .set(p.auth)
        .send({ oauth2: { url: tokenUrl, client_id: 'c', client_secret: 'wrong', authentication_type: 'shared_secret' } })
        .expect(200);
      expect(bad.body.data).toEqual({ success: false, error: 'oauth2 token endpoint answered 401 (invalid_client)', message: 'OAuth2 connection test failed' });
    } finally {
      tokens.answer = new TokenServer().answer;
    }
    const invalid = await http()
      .post(`/api/v1/projects/${p.id}/endpoints/oauth2/test`)
      .set(p.auth)
      .send({ oauth2: { client_id: 'c' } })
      .expect(400);
    expect(invalid.body.message).toBe('oauth2.url is required');
    const noBody = await http().post(`/api/v1/projects/${p.id}/endpoints/oauth2/test`).set(p.auth).send({}).expect(400);
    expect(noBody.body.code).toBe('validation_failed');
  });
});
