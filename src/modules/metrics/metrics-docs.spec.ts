import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { HealthMetrics } from '../../../libs/observability/metrics';
import { EgressMetrics } from '../../egress/egress-metrics';
import { BrokerMetrics } from '../brokers/broker-metrics';
import { NotificationMetrics } from '../notifications/notification-metrics';

/** Operators alert from the README's metrics table: every series Caravan registers must be in it, with its labels. */
describe('README metrics table', () => {
  const root = join(__dirname, '..', '..', '..');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const health = new HealthMetrics();
  new BrokerMetrics(health);
  new NotificationMetrics(health);
  const egress = new EgressMetrics();
  const own = [...health.registry.getMetricsAsArray(), ...egress.registry.getMetricsAsArray()]
    .map((m) => m as unknown as { name: string; labelNames?: string[] })
    .filter((m) => !/^caravan_(process_|nodejs_)/.test(m.name) && m.name !== 'caravan_nodejs_version_info');

  it('finds the metrics, so the check below can fail', () => {
    expect(own.map((m) => m.name)).toEqual(
      expect.arrayContaining(['caravan_deliveries_total', 'caravan_notifications_total', 'caravan_egress_tunnels_active']),
    );
  });

  it.each(own.map((m) => [m.name, m.labelNames ?? []] as const))('documents %s and its labels', (name, labels) => {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    expect(row).toBeDefined();
    for (const label of labels) expect([name, row]).toEqual([name, expect.stringContaining(`\`${label}\``)]);
  });

  it('ships alert rules that parse and name only metrics Caravan has', () => {
    const rules = parse(readFileSync(join(root, 'docker', 'prometheus-alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
    const names = new Set(own.map((m) => m.name));
    const exprs = rules.groups.flatMap((g) => g.rules);
    expect(exprs.length).toBeGreaterThan(5);
    for (const r of exprs) {
      for (const used of r.expr.match(/caravan_[a-z_]+/g) ?? []) expect([r.alert, used, names.has(used)]).toEqual([r.alert, used, true]);
    }
  });
});
