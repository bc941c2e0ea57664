import type { CaravanConfig } from '../../libs/config';

/** One listener a role opened: what it serves, and where. */
export interface Listener {
  what: 'api' | 'worker health' | 'egress' | 'egress health';
  host: string;
  port: number;
}

/** The variable that moves each listener's port (and the address it binds). */
export const PORT_VARIABLES: Record<Listener['what'], { port: string; host: string }> = {
  api: { port: 'PORT', host: 'HOST' },
  'worker health': { port: 'WORKER_HEALTH_PORT', host: 'HOST' },
  egress: { port: 'EGRESS_PORT', host: 'EGRESS_HOST' },
  'egress health': { port: 'EGRESS_HEALTH_PORT', host: 'EGRESS_HOST' },
};

/** `listening on http://0.0.0.0:5005 (api), :5006 (worker health), :5010 (egress), :5011 (egress health)` */
export function listeningLine(listeners: Listener[]): string {
  const parts = listeners.map((l, i) => (i === 0 && l.what === 'api' ? `http://${l.host}:${l.port} (api)` : `:${l.port} (${l.what})`));
  return `listening on ${parts.join(', ')}`;
}

/** The one line a role writes when it is up, with the same facts as fields. */
export function announceListening(role: string, listeners: Listener[]): void {
  const fields = { level: 30, time: Date.now(), role, listeners: listeners.map((l) => ({ what: l.what, host: l.host, port: l.port })) };
  process.stdout.write(`${JSON.stringify({ ...fields, msg: listeningLine(listeners) })}\n`);
}

/** Which variable moves the port a listen failed on, from the configuration in force. */
export function portVariableFor(
  port: number | undefined,
  config: Pick<CaravanConfig, 'port' | 'workerHealthPort' | 'egressPort' | 'egressHealthPort'>,
): string | undefined {
  if (port === undefined) return undefined;
  const byPort: [number, string][] = [
    [config.port, 'PORT'],
    [config.workerHealthPort, 'WORKER_HEALTH_PORT'],
    [config.egressPort, 'EGRESS_PORT'],
    [config.egressHealthPort, 'EGRESS_HEALTH_PORT'],
  ];
  return byPort.find(([p]) => p === port)?.[1];
}
