import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricRow, ScenarioResult } from './report-types';

export interface Machine {
  nproc: number;
  cpu: string;
  memGb: number;
  node: string;
  postgres: string;
  redis: string;
  pgStatements: string;
  /** 1/5/15-minute load average when the run ended */
  loadavg: number[];
  /** extra variables given to Caravan's roles */
  caravanEnv: Record<string, string>;
}

export interface RunReport {
  startedAt: string;
  finishedAt: string;
  mode: 'quick' | 'full';
  machine: Machine;
  scenarios: ScenarioResult[];
  failures: string[];
}

function fmt(v: number): string {
  if (v === undefined || v === null || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return '∞';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function verdict(r: MetricRow): string {
  if (r.met === undefined) return '';
  return r.met ? 'met' : '**missed**';
}

export function markdownTable(rows: MetricRow[]): string {
  const lines = ['| # | metric | Caravan | baseline | ratio | target | |', '|---|---|---:|---:|---:|---|---|'];
  for (const r of rows) {
    const unit = r.unit && r.unit !== '×' ? ` (${r.unit})` : '';
    lines.push(`| ${r.scenario} | ${r.metric}${unit} | ${fmt(r.caravan)} | ${fmt(r.baseline)} | ${fmt(r.ratio)} | ${r.target} | ${verdict(r)} |`);
  }
  return lines.join('\n');
}

export function markdown(rep: RunReport): string {
  const m = rep.machine;
  const parts = [
    `# Benchmark run ${rep.startedAt} (${rep.mode})`,
    '',
    `Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memGb.toFixed(1)} GB RAM; Node ${m.node}; PostgreSQL ${m.postgres}; Redis ${m.redis}. PG statement counts: ${m.pgStatements}. Load average at the end: ${m.loadavg.join(' ')}.${Object.keys(m.caravanEnv).length ? ` Caravan env: ${JSON.stringify(m.caravanEnv)}.` : ''}`,
    '',
    markdownTable(rep.scenarios.flatMap((s) => s.rows)),
    '',
  ];
  for (const s of rep.scenarios) {
    if (s.notes.length) parts.push(`- ${s.id} (${s.title}): ${s.notes.join(' ')}`);
  }
  parts.push('', rep.failures.length ? `Failures:\n${rep.failures.map((f) => `- ${f}`).join('\n')}` : 'No errors, no loss.', '');
  return parts.join('\n');
}

export function consoleTable(rows: MetricRow[]): string {
  const head = ['#', 'metric', 'caravan', 'baseline', 'ratio', 'target', ''];
  const body = rows.map((r) => [
    r.scenario,
    `${r.metric}${r.unit && r.unit !== '×' ? ` (${r.unit})` : ''}`,
    fmt(r.caravan),
    fmt(r.baseline),
    fmt(r.ratio),
    r.target,
    r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

/** Writes `<timestamp>.json|md` and `latest.json|md` under `dir`. */
export function writeReport(dir: string, rep: RunReport): string[] {
  mkdirSync(dir, { recursive: true });
  const stamp = rep.startedAt.replace(/[:.]/g, '-');
  const json = JSON.stringify(rep, null, 2);
  const md = markdown(rep);
  const files = [join(dir, `${stamp}.json`), join(dir, `${stamp}.md`), join(dir, 'latest.json'), join(dir, 'latest.md')];
  writeFileSync(files[0], json);
  writeFileSync(files[1], md);
  writeFileSync(files[2], json);
  writeFileSync(files[3], md);
  return files;
}
