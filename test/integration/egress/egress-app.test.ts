import { loadConfig } from '../../../libs/config';
import { createEgressApp, EgressApp } from '../../../src/egress/egress.bootstrap';
import { connectStatus, echo, sendConnect } from './support/connect-client';
import { Sink } from './support/sinks';

/** The in-process face other suites use: start on port 0, learn the port, close. */
describe('createEgressApp (in process)', () => {
  let sink: Sink;
  let app: EgressApp;
  const resolved: string[] = [];

  beforeAll(async () => {
    sink = await new Sink('127.0.0.1').start();
    const config = loadConfig({}, { egressHost: '127.0.0.1', egressPort: 0, egressHealthPort: 0, egressAllow: [sink.pair], logLevel: 'silent' });
    app = await createEgressApp(config, {
      resolver: {
        resolve: (name) => {
          resolved.push(name);
          return Promise.resolve(name === 'sink.test' ? ['127.0.0.1'] : ['127.0.0.2']);
        },
      },
      options: { shutdownGraceMs: 200 },
    });
  });

  afterAll(async () => {
    await app?.close();
    await sink?.stop();
  });

  it('reports the port it bound and no side port when EGRESS_HEALTH_PORT is 0', () => {
    expect(app.address()).toEqual({ host: '127.0.0.1', port: expect.any(Number) });
    expect(app.address().port).toBeGreaterThan(0);
    expect(app.healthAddress()).toBeUndefined();
  });

  it('asks the injected resolver and tunnels to the vetted answer', async () => {
    const reply = await sendConnect(app.address().port, `sink.test:${sink.port}`);
    expect(reply.status).toBe(200);
    await expect(echo(reply.socket, 'in process')).resolves.toBe('in process');
    reply.socket.destroy();
    await expect(connectStatus(app.address().port, `other.test:${sink.port}`)).resolves.toMatchObject({ status: 403, deny: 'loopback' });
    expect(resolved).toEqual(['sink.test', 'other.test']);
    expect(sink.connections).toBe(1);
  });

  it('refuses to start with a bad port list instead of ending the process', async () => {
    const config = loadConfig({}, { egressHost: '127.0.0.1', egressPort: 0, egressHealthPort: 0, egressAllowedPorts: ['http'], logLevel: 'silent' });
    await expect(createEgressApp(config)).rejects.toThrow(/EGRESS_ALLOWED_PORTS/);
  });
});
