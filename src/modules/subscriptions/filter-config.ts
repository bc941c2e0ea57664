import { unprocessable } from '../../common/errors/domain-error';
import type { FilterConfigDto } from './dto/subscription.dto';
import { validateFilter } from './filter/filter-engine';
import type { FilterConfig } from './subscription.entity';

function isEmpty(o: Record<string, unknown> | undefined): boolean {
  return o === undefined || Object.keys(o).length === 0;
}

/** Top-level keys (header names) in lower case; operator documents below them untouched. */
export function lowerCaseKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.startsWith('$') ? k : k.toLowerCase(), v]));
}

/**
 * Convoy's defaults (every event type, no filters) applied to a submitted filter_config,
 * and every problem with it reported at once as a 400.
 */
export function normaliseFilterConfig(dto: FilterConfigDto | undefined): FilterConfig {
  const eventTypes = dto?.event_types?.length ? [...new Set(dto.event_types)] : ['*'];
  // header names are case-insensitive: filters and stored event headers both use lower case
  const headers = lowerCaseKeys(dto?.filter?.headers ?? {});
  const body = dto?.filter?.body ?? {};
  const problems: string[] = [];
  if (!isEmpty(dto?.filter?.path)) problems.push('filter_config.filter.path: path filters are not supported');
  if (!isEmpty(dto?.filter?.query)) problems.push('filter_config.filter.query: query filters are not supported');
  problems.push(...validateFilter(body).map((p) => `filter_config.filter.body: ${p}`));
  problems.push(...validateFilter(headers).map((p) => `filter_config.filter.headers: ${p}`));
  if (problems.length > 0) throw unprocessable('invalid_filter', problems.join('; '), { errors: problems });
  return { event_types: eventTypes, filter: { headers, body } };
}

/** The subscription's event types widened to cover `wanted`, or null when they already do. */
export function widenedEventTypes(have: readonly string[], wanted: readonly string[]): string[] | null {
  if (have.includes('*') || wanted.every((t) => have.includes(t))) return null;
  if (wanted.includes('*')) return ['*'];
  return [...new Set([...have, ...wanted])];
}
