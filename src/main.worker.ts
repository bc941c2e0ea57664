import 'reflect-metadata';
import { stopOnSignal } from './app/signals';
import { assertNodeVersion, loadConfig } from '../libs/config';
import { createWorkerApp } from './app/worker.bootstrap';

export async function runWorker(): Promise<() => Promise<void>> {
  assertNodeVersion();
  const app = await createWorkerApp({ config: loadConfig() });
  return () => app.close();
}

if (require.main === module) {
  runWorker().then(
    (stop) => stopOnSignal([stop]),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
