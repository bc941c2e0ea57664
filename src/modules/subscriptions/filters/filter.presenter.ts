import { FilterResponseDto } from './filter.dto';
import { flattenFilter } from './filter-rows';
import type { SubscriptionFilterEntity } from './subscription-filter.entity';

/** Convoy's `FilterResponse`: the stored filters flattened (dotted keys), and as sent under `raw_*`. */
export function toFilterResponse(f: SubscriptionFilterEntity): FilterResponseDto {
  return {
    uid: f.id,
    subscription_id: f.subscriptionId,
    event_type: f.eventType,
    enabled_at: f.enabledAt ? f.enabledAt.toISOString() : null,
    headers: flattenFilter(f.headers),
    body: flattenFilter(f.body),
    query: flattenFilter(f.query),
    path: flattenFilter(f.path),
    raw_headers: f.headers,
    raw_body: f.body,
    raw_query: f.query,
    raw_path: f.path,
  };
}
