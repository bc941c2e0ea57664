import 'reflect-metadata';
import { stopOnSignal } from './app/signals';
import { assertNodeVersion, loadConfig } from '../libs/config';
import { createApiApp } from './app/api.bootstrap';

export async function runApi(opts: { withWorker?: boolean } = {}): Promise<() => Promise<void>> {
  assertNodeVersion();
  const config = loadConfig();
  const app = await createApiApp({ config, withWorker: opts.withWorker });
  await app.listen(config.port, config.host);
  return () => app.close();
}

if (require.main === module) {
  runApi().then(
    (stop) => stopOnSignal([stop]),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
