import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';

/**
 * The proxy's own registry: in the all-in-one process other roles register their
 * metrics too, and names must not collide in a shared default registry.
 */
@Injectable()
export class EgressMetrics {
  readonly registry = new Registry();

  private readonly decisions = new Counter({
    name: 'caravan_egress_decisions_total',
    help: 'CONNECT requests by decision (allow, deny, error) and class (address class or failure)',
    labelNames: ['decision', 'class'] as const,
    registers: [this.registry],
  });

  private readonly bytes = new Counter({
    name: 'caravan_egress_tunnel_bytes_total',
    help: 'bytes carried through tunnels, by direction (up = towards the target)',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });

  readonly activeTunnels = new Gauge({
    name: 'caravan_egress_tunnels_active',
    help: 'CONNECT requests being decided or tunnelled right now',
    registers: [this.registry],
  });

  decision(decision: string, cls: string): void {
    this.decisions.inc({ decision, class: cls });
  }

  carried(up: number, down: number): void {
    this.bytes.inc({ direction: 'up' }, up);
    this.bytes.inc({ direction: 'down' }, down);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
