import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ApiHarness, startApiHarness, TEST_ADMIN_KEY } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';

/** Input a careless client sends: every answer is a 4xx naming the problem, never a 500. */
describe('bad input (e2e)', () => {
  let h: ApiHarness;
  let pid: string;
  let auth: { Authorization: string };
  const http = () => request(h.app.getHttpServer());

  beforeAll(async () => {
    h = await startApiHarness(createApiApp, { apiRequestTimeoutMs: 2_000 });
    await h.app.listen(0, '127.0.0.1');
    const res = await http()
      .post('/api/v1/projects')
      .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
      .send({ name: 'bad', type: 'outgoing' })
      .expect(201);
    pid = res.body.data.project.uid;
    auth = { Authorization: `Bearer ${res.body.data.api_key.key}` };
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each([
    ['an id with NUL', () => `/api/v1/projects/${pid}/events/abc%00def`, 'path parameter eventID'],
    ['an endpoint id with NUL', () => `/api/v1/projects/${pid}/endpoints/x%00`, 'path parameter endpointID'],
    ['a query value with NUL', () => `/api/v1/projects/${pid}/events?idempotencyKey=a%00b`, 'query parameter idempotencyKey'],
    ['a query list value with a newline', () => `/api/v1/projects/${pid}/eventdeliveries?endpointId=a&endpointId=b%0A`, 'query parameter endpointId'],
  ])('refuses %s with 400 naming the field', async (_what, url, field) => {
    const res = await http().get(url()).set(auth).expect(400);
    expect(res.body).toMatchObject({ status: false, code: 'invalid_parameter' });
    expect(res.body.message).toContain(field);
  });

  it.each(['2009-W53-7', '2024-02-30', 'yesterday', '2024-05-01T25:00:00Z'])('refuses the date %s with 400 naming the field', async (d) => {
    const res = await http()
      .get(`/api/v1/projects/${pid}/events?startDate=${encodeURIComponent(d)}`)
      .set(auth)
      .expect(400);
    expect(res.body.message).toContain('startDate');
    await http()
      .get(`/api/v1/projects/${pid}/eventdeliveries?endDate=${encodeURIComponent(d)}`)
      .set(auth)
      .expect(400);
  });

  it('accepts RFC 3339 dates and days', async () => {
    await http()
      .get(`/api/v1/projects/${pid}/events?startDate=2024-02-29&endDate=${encodeURIComponent('2024-03-01T00:00:00+01:00')}`)
      .set(auth)
      .expect(200);
  });

  it('refuses __proto__ among the fields, but keeps it inside data', async () => {
    const proto = await http()
      .post(`/api/v1/projects/${pid}/event-types`)
      .set(auth)
      .set('Content-Type', 'application/json')
      .send('{"name":"p","__proto__":{"x":1}}');
    expect([proto.status, proto.body.code]).toEqual([400, 'validation_failed']);
    const inData = await http()
      .post(`/api/v1/projects/${pid}/events/broadcast`)
      .set(auth)
      .set('Content-Type', 'application/json')
      .send('{"event_type":"x","data":{"__proto__":{"x":1}}}');
    expect(inData.status).toBe(201);
  });

  it('answers 415 to a text/plain body', async () => {
    const res = await http().post(`/api/v1/projects/${pid}/events/broadcast`).set(auth).set('Content-Type', 'text/plain').send('hello').expect(415);
    expect(res.body.code).toBe('unsupported_media_type');
  });

  it('takes an empty JSON body on body-less routes, as Convoy SDKs send it, and refuses it where a body is needed', async () => {
    await http().post(`/api/v1/projects/${pid}/events/batchreplay`).set(auth).set('Content-Type', 'application/json').send('').expect(200);
    const res = await http().post(`/api/v1/projects/${pid}/events/broadcast`).set(auth).set('Content-Type', 'application/json').send('');
    expect(res.status).toBe(400);
  });

  /** Sends raw bytes and resolves with what came back once the server closes the socket (or after `waitMs`). */
  function raw(head: string, body: string, waitMs: number): Promise<{ text: string; closed: boolean }> {
    const { port } = h.app.getHttpServer().address() as AddressInfo;
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ text, closed: false });
      }, waitMs);
      socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
      socket.on('close', () => {
        clearTimeout(timer);
        resolve({ text, closed: true });
      });
      socket.on('error', () => undefined);
      socket.write(head + body);
    });
  }

  it('checks the key before reading the body: a refused sender never has to send it', async () => {
    const head = `POST /api/v1/projects/${pid}/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\nAuthorization: Bearer CO.nope.nope\r\n\r\n`;
    const r = await raw(head, '', 10_000);
    expect(r.text).toMatch(/^HTTP\/1\.1 401/);
    expect(r.closed).toBe(true);
  });

  it('cuts a sender that stalls mid-body once the request timeout passes', async () => {
    const head = `POST /api/v1/projects/${pid}/events/broadcast HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nAuthorization: ${auth.Authorization}\r\n\r\n`;
    // 2 s allowed; a generous bound for a busy machine, far below the 60-90 s it used to take
    const r = await raw(head, '{"event_type":', 20_000);
    expect(r.closed).toBe(true);
  });

  it.each(['Transfer-Encoding', 'content-length', 'Host', 'X-Caravan-Delivery-Id'])('refuses %s as the signature header', async (header) => {
    const res = await http()
      .put(`/api/v1/projects/${pid}`)
      .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
      .send({ config: { signature: { header } } });
    expect([res.status, res.body.code]).toEqual([400, 'invalid_signature_header']);
  });

  it('refuses endpoint credentials that cannot be sent', async () => {
    const send = (authentication: unknown) =>
      http().post(`/api/v1/projects/${pid}/endpoints`).set(auth).send({ name: 'cred', url: 'https://hooks.example.com/x', authentication });
    for (const bad of [
      { type: 'api_key', api_key: { header_name: 'X-Key', header_value: 'a\r\nX-Evil: 1' } },
      { type: 'api_key', api_key: { header_name: 'X-Key', header_value: 'ключ' } },
      { type: 'basic_auth', basic_auth: { username: 'a:b', password: 'p' } },
    ]) {
      const res = await send(bad);
      expect([JSON.stringify(bad), res.status]).toEqual([JSON.stringify(bad), 400]);
    }
  });
});
