import { Sink } from '../../integration/egress/support/sinks';
import { addLoopbackAddresses } from './netns';

/** Forbidden addresses that exist on lo inside the namespace, each with listeners. */
export const CANARY_ADDRESSES = [
  '10.0.0.1',
  '169.254.169.254',
  '192.168.1.1',
  '172.16.0.1',
  '100.64.0.1',
  '192.0.0.1',
  '192.0.2.1',
  '198.18.0.1',
  '8.8.8.8',
  'fd00::1',
  'fd00:ec2::254',
  '64:ff9b::a9fe:a9fe',
  '2002:a9fe:a9fe::1',
  '2001::1',
  '2001:db8::1',
] as const;

export const CANARY_PORTS = [25, 80, 443, 8443] as const;

/**
 * Listeners on every forbidden address (and on loopback's 80/443, where 0.0.0.0 and
 * [::] lead), so a wrong dial is not just an error but a counted connection.
 */
export class Canaries {
  private constructor(readonly sinks: Sink[]) {}

  static async start(): Promise<Canaries> {
    addLoopbackAddresses(CANARY_ADDRESSES);
    const sinks: Sink[] = [];
    for (const host of CANARY_ADDRESSES) for (const port of CANARY_PORTS) sinks.push(await new Sink(host).start(port));
    for (const host of ['127.0.0.1', '::1']) for (const port of [80, 443]) sinks.push(await new Sink(host).start(port));
    return new Canaries(sinks);
  }

  /** Every canary that was reached, as host:port; empty when the policy held. */
  reached(): string[] {
    return this.sinks.filter((s) => s.connections > 0).map((s) => s.pair);
  }

  async stop(): Promise<void> {
    for (const sink of this.sinks) await sink.stop();
  }
}
