/** Formatting and small calculations shared by the dashboard and the portal; no DOM here. */

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return '—';
  // the API answers a ratio (0.25) for Convoy's failure_rate fields
  const value = rate <= 1 ? rate * 100 : rate;
  return `${value.toFixed(value < 10 && value > 0 ? 1 : 0)} %`;
}

export function json(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? '';
  } catch {
    return String(value);
  }
}

/** The first `max` characters of a body, and whether it was cut. */
export function excerpt(text: string | null | undefined, max = 2000): { text: string; cut: boolean } {
  const t = text ?? '';
  return t.length > max ? { text: t.slice(0, max), cut: true } : { text: t, cut: false };
}

/** Parses a JSON object typed by the user; an error message names what is wrong. */
export function parseObject(text: string, what: string): { value?: Record<string, unknown>; error?: string } {
  if (!text.trim()) return { value: {} };
  try {
    const v: unknown = JSON.parse(text);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return { error: `${what} must be a JSON object` };
    return { value: v as Record<string, unknown> };
  } catch (e) {
    return { error: `${what} is not valid JSON (${e instanceof Error ? e.message : 'parse error'})` };
  }
}

/** A `datetime-local` input's value as RFC 3339 (what the API's date filters take), or undefined. */
export function rfc3339(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface MinuteBucket {
  /** start of the minute, ms since the epoch */
  at: number;
  success: number;
  failure: number;
  other: number;
}

/**
 * Deliveries per minute over the `minutes` minutes up to `now`, by outcome, from a list of
 * deliveries (their creation time and status). Older or future rows are left out.
 */
export function perMinute(rows: { created_at: string; status: string }[], minutes: number, now: number): MinuteBucket[] {
  const end = Math.floor(now / 60_000) * 60_000;
  const start = end - (minutes - 1) * 60_000;
  const buckets: MinuteBucket[] = Array.from({ length: minutes }, (_, i) => ({ at: start + i * 60_000, success: 0, failure: 0, other: 0 }));
  for (const r of rows) {
    const t = Date.parse(r.created_at);
    if (Number.isNaN(t)) continue;
    const i = Math.floor((t - start) / 60_000);
    if (i < 0 || i >= minutes) continue;
    const b = buckets[i];
    if (r.status === 'Success') b.success++;
    else if (r.status === 'Failure' || r.status === 'Discarded') b.failure++;
    else b.other++;
  }
  return buckets;
}
