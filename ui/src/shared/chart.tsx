import type { MinuteBucket } from './format';

const W = 600;
const H = 140;
const PAD = 24;

/**
 * Deliveries per minute as stacked bars (succeeded, failed, pending). The picture is
 * hidden from screen readers; the same numbers are in the table under it.
 */
export function PerMinuteChart({ buckets, title, note }: { buckets: MinuteBucket[]; title: string; note?: string }) {
  const max = Math.max(1, ...buckets.map((b) => b.success + b.failure + b.other));
  const bw = (W - PAD) / Math.max(1, buckets.length);
  const y = (n: number) => ((H - PAD) * n) / max;
  const total = buckets.reduce((s, b) => s + b.success + b.failure + b.other, 0);
  const failed = buckets.reduce((s, b) => s + b.failure, 0);
  const time = (ms: number) => new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return (
    <figure class="chart">
      <figcaption>
        <strong>{title}</strong>{' '}
        <span class="muted">
          {total} deliveries made in the last {buckets.length} minutes, by their status now: {failed} failed{note ? ` (${note})` : ''}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} aria-hidden="true" focusable="false" preserveAspectRatio="none">
        <line x1={PAD} y1={H - PAD} x2={W} y2={H - PAD} class="axis" />
        <text x={0} y={12} class="tick">
          {max}
        </text>
        <text x={0} y={H - PAD} class="tick">
          0
        </text>
        {buckets.map((b, i) => {
          const x = PAD + i * bw + 1;
          const s = y(b.success);
          const f = y(b.failure);
          const o = y(b.other);
          const base = H - PAD;
          return (
            <g key={b.at}>
              <rect x={x} width={Math.max(1, bw - 2)} y={base - s} height={s} class="bar-ok" />
              <rect x={x} width={Math.max(1, bw - 2)} y={base - s - f} height={f} class="bar-fail" />
              <rect x={x} width={Math.max(1, bw - 2)} y={base - s - f - o} height={o} class="bar-other" />
            </g>
          );
        })}
        {buckets.length > 0 && (
          <>
            <text x={PAD} y={H - 6} class="tick">
              {time(buckets[0].at)}
            </text>
            <text x={W} y={H - 6} class="tick end">
              {time(buckets[buckets.length - 1].at)}
            </text>
          </>
        )}
      </svg>
      <p class="legend" aria-hidden="true">
        <span class="key bar-ok" /> succeeded <span class="key bar-fail" /> failed <span class="key bar-other" /> pending or retrying
      </p>
      <details>
        <summary>Numbers per minute</summary>
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{title}, per minute</caption>
            <thead>
              <tr>
                <th scope="col">Minute</th>
                <th scope="col">Succeeded</th>
                <th scope="col">Failed</th>
                <th scope="col">Pending</th>
              </tr>
            </thead>
            <tbody>
              {buckets
                .filter((b) => b.success + b.failure + b.other > 0)
                .map((b) => (
                  <tr key={b.at}>
                    <td>{time(b.at)}</td>
                    <td>{b.success}</td>
                    <td>{b.failure}</td>
                    <td>{b.other}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
