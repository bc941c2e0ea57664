import 'reflect-metadata';
import './app/tracing-preload';
import { stopOnSignal } from './app/signals';
import { reportFatal } from './app/fatal';
import { assertNodeVersion, loadConfig } from '../libs/config';
import { announceListening, Listener } from './app/listening';
import type { Started } from './app/signals';
import { createEgressApp } from './egress/egress.bootstrap';

export async function runEgress(): Promise<Started> {
  assertNodeVersion();
  const config = loadConfig();
  const app = await createEgressApp(config);
  const health = app.healthAddress();
  const listeners: Listener[] = [{ what: 'egress', ...app.address() }];
  if (health) listeners.push({ what: 'egress health', ...health });
  return { stop: () => app.close(), listeners };
}

if (require.main === module) {
  runEgress().then(
    ({ stop, listeners }) => {
      announceListening('egress', listeners);
      stopOnSignal([stop]);
    },
    (e: unknown) => {
      reportFatal(e);
      process.exit(1);
    },
  );
}
