import 'reflect-metadata';
import './app/tracing-preload';
import { stopOnSignal } from './app/signals';
import { reportFatal } from './app/fatal';
import { assertNodeVersion, loadConfig } from '../libs/config';
import { announceListening } from './app/listening';
import type { Started } from './app/signals';
import { createWorkerApp } from './app/worker.bootstrap';
import { WorkerHealthServer } from './app/worker.module';

export async function runWorker(): Promise<Started> {
  assertNodeVersion();
  const app = await createWorkerApp({ config: loadConfig() });
  const health = app.get(WorkerHealthServer, { strict: false }).address();
  return { stop: () => app.close(), listeners: health ? [{ what: 'worker health', ...health }] : [] };
}

if (require.main === module) {
  runWorker().then(
    ({ stop, listeners }) => {
      announceListening('worker', listeners);
      stopOnSignal([stop]);
    },
    (e: unknown) => {
      reportFatal(e);
      process.exit(1);
    },
  );
}
