/** One line of the results table: our figure, the baseline's and their ratio. */
export interface MetricRow {
  scenario: string;
  metric: string;
  unit: string;
  caravan: number;
  baseline: number;
  /** caravan / baseline */
  ratio: number;
  better: 'higher' | 'lower';
  /** what the target says, in words; empty when the row is informative only */
  target: string;
  /** whether the full-mode target is met (undefined: no target or not measurable) */
  met?: boolean;
  /** in quick mode: true when the figure is so far off that CI should fail */
  hardFail?: boolean;
}

export interface ScenarioResult {
  id: string;
  title: string;
  rows: MetricRow[];
  /** loss or errors that fail a quick run */
  failures: string[];
  notes: string[];
  raw: Record<string, unknown>;
}

export function row(
  scenario: string,
  metric: string,
  unit: string,
  caravan: number,
  baseline: number,
  better: 'higher' | 'lower',
  target = '',
  met?: boolean,
  hardFail?: boolean,
): MetricRow {
  const ratio = baseline ? caravan / baseline : NaN;
  return { scenario, metric, unit, caravan, baseline, ratio, better, target, met, hardFail };
}
