// An SQS-protocol emulator (fauxqs) on loopback only, on a port the system picks; prints
// the port on its first line and stops on SIGTERM. fauxqs's own start-up listens on every
// interface, so the app is built and bound here instead.
import { buildApp } from 'fauxqs';

const app = buildApp({ logger: false, host: '127.0.0.1' });
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${app.server.address().port}\n`);
process.on('SIGTERM', () => {
  void app.close().finally(() => process.exit(0));
});
