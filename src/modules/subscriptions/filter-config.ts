import { unprocessable } from '../../common/errors/domain-error';
import type { FilterConfigDto } from './dto/subscription.dto';
import { checkScopes } from './filters/filter-rows';
import type { FilterConfig } from './subscription.entity';

export { lowerCaseKeys } from './filters/filter-rows';

/**
 * Convoy's defaults (every event type, no filters) applied to a submitted filter_config,
 * and every problem with it reported at once as a 400.
 */
export function normaliseFilterConfig(dto: FilterConfigDto | undefined): FilterConfig {
  const eventTypes = dto?.event_types?.length ? [...new Set(dto.event_types)] : ['*'];
  const { scopes, problems } = checkScopes(dto?.filter ?? {}, 'filter_config.filter.');
  if (problems.length > 0) throw unprocessable('invalid_filter', problems.join('; '), { errors: problems });
  return { event_types: eventTypes, filter: { headers: scopes.headers ?? {}, body: scopes.body ?? {}, query: scopes.query ?? {}, path: scopes.path ?? {} } };
}

/** The subscription's event types widened to cover `wanted`, or null when they already do. */
export function widenedEventTypes(have: readonly string[], wanted: readonly string[]): string[] | null {
  if (have.includes('*') || wanted.every((t) => have.includes(t))) return null;
  if (wanted.includes('*')) return ['*'];
  return [...new Set([...have, ...wanted])];
}
