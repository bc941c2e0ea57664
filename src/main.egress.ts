import 'reflect-metadata';
import { assertNodeVersion, loadConfig } from '../libs/config';
import { createEgressApp } from './egress/egress.bootstrap';

export async function runEgress(): Promise<() => Promise<void>> {
  assertNodeVersion();
  const config = loadConfig();
  const app = await createEgressApp(config);
  return () => app.close();
}

if (require.main === module) {
  runEgress().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
