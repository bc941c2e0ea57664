import { NestFactory } from '@nestjs/core';
import { CaravanConfig } from '../../libs/config';
import { InstanceModule } from '../modules/instance';
import { RetentionModule, RetentionReport, RetentionRunner } from '../modules/retention';
import { CoreModule } from './core.module';

/** `caravan retention run [--dry-run]`: one run now (or, dry, what it would remove), under the cluster's retention lock. */
export async function runRetention(config: CaravanConfig, dryRun: boolean): Promise<RetentionReport> {
  const app = await NestFactory.createApplicationContext(
    { module: class RetentionCommandModule {}, imports: [CoreModule.forRole('cli', config), InstanceModule, RetentionModule] },
    { logger: ['error', 'warn'] },
  );
  try {
    return await app.get(RetentionRunner).run({ dryRun });
  } finally {
    await app.close();
  }
}

export function formatRetentionReport(r: RetentionReport): string {
  if (r.skipped) return 'another retention run holds the lock; nothing done\n';
  const verb = r.dryRun ? 'would remove' : 'removed';
  const lines = Object.entries(r.removed).map(([t, n]) => `  ${t.padEnd(18)} ${n}`);
  const extra = [
    r.failedProjects ? `${r.failedProjects} project(s) stopped on an error; the next run goes on` : '',
    ...r.exported.map((f) => `exported ${f}`),
  ].filter(Boolean);
  return [`retention ${verb} (${r.projects} project(s) with a policy, ${r.durationMs} ms):`, ...lines, ...extra, ''].join('\n');
}
