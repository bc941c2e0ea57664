import 'reflect-metadata';
import { stopOnSignal } from './app/signals';
import { assertNodeVersion, loadConfig } from '../libs/config';
import { createEgressApp } from './egress/egress.bootstrap';

export async function runEgress(): Promise<() => Promise<void>> {
  assertNodeVersion();
  const config = loadConfig();
  const app = await createEgressApp(config);
  return () => app.close();
}

if (require.main === module) {
  runEgress().then(
    (stop) => stopOnSignal([stop]),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
