import { stopTracing } from '../../libs/observability/tracing-sdk';

export type Stop = () => Promise<void>;

/** A role that is up: how to stop it, and what it listens on. */
export interface Started {
  stop: Stop;
  listeners: import('./listening').Listener[];
}

function log(line: string): void {
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), role: 'cli', msg: line })}\n`);
}

/**
 * Keeps a role running until SIGTERM or SIGINT, then stops it: the API stops taking
 * requests, workers finish and record the attempts in flight, the proxy drains tunnels.
 * Exit 0 when everything stopped, 1 when something failed or took longer than 30 s.
 */
export function stopOnSignal(stops: Stop[]): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received, shutting down`);
    const timer = setTimeout(() => {
      log('shutdown took too long, exiting');
      process.exit(1);
    }, 30_000);
    timer.unref();
    Promise.allSettled(stops.map((s) => s())).then(
      // the spans of the last requests and attempts leave before the process does
      async (results) => {
        await stopTracing();
        process.exit(results.every((r) => r.status === 'fulfilled') ? 0 : 1);
      },
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
