import { api, type Client, type DeliveryResponseDto, unwrap } from '../api/client';

export const CHART_MINUTES = 30;
const CHART_PAGES = 5;

/**
 * The deliveries of the last CHART_MINUTES minutes, read from the deliveries list (the API
 * has no per-minute statistics route): at most CHART_PAGES pages of 100, newest first.
 */
export async function recentDeliveries(client: Client, projectID: string, endpointId?: string): Promise<{ rows: DeliveryResponseDto[]; truncated: boolean }> {
  const startDate = new Date(Date.now() - CHART_MINUTES * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const rows: DeliveryResponseDto[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < CHART_PAGES; page++) {
    const data = await unwrap(
      api.deliveriesList({
        client,
        path: { projectID },
        query: {
          perPage: 100,
          startDate,
          ...(endpointId ? { endpointId: [endpointId] } : {}),
          ...(cursor ? { direction: 'next', next_page_cursor: cursor } : {}),
        },
      }),
    );
    rows.push(...data.content);
    if (!data.pagination.has_next_page || !data.pagination.next_page_cursor) return { rows, truncated: false };
    cursor = data.pagination.next_page_cursor;
  }
  return { rows, truncated: true };
}

export const DELIVERY_STATUSES = ['Scheduled', 'Processing', 'Success', 'Failure', 'Retry', 'Discarded'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
