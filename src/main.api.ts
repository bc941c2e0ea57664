import 'reflect-metadata';
import './app/tracing-preload';
import { stopOnSignal } from './app/signals';
import { reportFatal } from './app/fatal';
import { assertNodeVersion, loadConfig } from '../libs/config';
import { createApiApp } from './app/api.bootstrap';
import { announceListening, Listener } from './app/listening';
import type { Started } from './app/signals';
import { WorkerHealthServer } from './app/worker.module';

export async function runApi(opts: { withWorker?: boolean } = {}): Promise<Started> {
  assertNodeVersion();
  const config = loadConfig();
  const app = await createApiApp({ config, withWorker: opts.withWorker });
  await app.listen(config.port, config.host);
  const bound = app.getHttpServer().address();
  const listeners: Listener[] = [{ what: 'api', host: config.host, port: bound && typeof bound === 'object' ? bound.port : config.port }];
  if (opts.withWorker) {
    const health = app.get(WorkerHealthServer, { strict: false }).address();
    if (health) listeners.push({ what: 'worker health', ...health });
  }
  return { stop: () => app.close(), listeners };
}

if (require.main === module) {
  runApi().then(
    ({ stop, listeners }) => {
      announceListening('api', listeners);
      stopOnSignal([stop]);
    },
    (e: unknown) => {
      reportFatal(e);
      process.exit(1);
    },
  );
}
