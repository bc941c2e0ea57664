import { useState } from 'preact/hooks';
import { api, type Client, type DeliveryResponseDto, unwrap } from '../api/client';
import { Attempts } from '../shared/attempts';
import { when } from '../shared/format';
import { Badge, Loaded, Notice, Pager, Select, Table, useAction, useAsync } from '../shared/ui';

const STATUS_OPTIONS = [
  { value: '', label: 'Any status' },
  { value: 'Failure', label: 'Failed' },
  { value: 'Retry', label: 'Retrying' },
  { value: 'Success', label: 'Succeeded' },
  { value: 'Scheduled', label: 'Scheduled' },
];

type Status = 'Scheduled' | 'Processing' | 'Success' | 'Failure' | 'Retry' | 'Discarded';

/** What was sent to the owner's endpoints, with the attempts of each and a retry for failed ones. */
export function PortalDeliveries({ client, refresh }: { client: Client; refresh: number }) {
  const [status, setStatus] = useState('');
  const [page, setPage] = useState<{ direction: 'next' | 'prev'; cursor: string }>();
  const filters = status ? { status: [status as Status] } : {};
  const list = useAsync(
    () =>
      unwrap(
        api.portalActivityListDeliveries({
          client,
          query: {
            perPage: 25,
            ...filters,
            ...(page
              ? page.direction === 'next'
                ? { direction: 'next', next_page_cursor: page.cursor }
                : { direction: 'prev', prev_page_cursor: page.cursor }
              : {}),
          },
        }),
      ),
    [client, status, page?.cursor, page?.direction, refresh],
  );
  const retryAll = useAction();
  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Deliveries</h2>
      <div class="filters" role="group" aria-label="Filter deliveries">
        <Select
          label="Status"
          value={status}
          onValue={(v) => {
            setStatus(v);
            setPage(undefined);
          }}
          options={STATUS_OPTIONS}
        />
        <div class="row">
          <button type="button" onClick={list.reload}>
            Refresh
          </button>
          <button
            type="button"
            disabled={retryAll.busy}
            onClick={() =>
              void retryAll.run(async () => {
                const r = await unwrap(api.portalActivityBatchRetry({ client, query: { status: ['Failure'] } }));
                list.reload();
                return `${r.resent} failed ${r.resent === 1 ? 'delivery' : 'deliveries'} sent again`;
              })
            }
          >
            Retry all failed
          </button>
        </div>
        <Notice message={retryAll.message} />
      </div>
      <Loaded state={list} label="deliveries">
        {(p) => (
          <>
            <Table caption="Deliveries to your endpoints" empty={p.content.length === 0}>
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col">Event type</th>
                  <th scope="col">Endpoint</th>
                  <th scope="col">Tries</th>
                  <th scope="col">Created</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {p.content.map((d) => (
                  <Row key={d.uid} client={client} d={d} onChange={list.reload} />
                ))}
              </tbody>
            </Table>
            <Pager pagination={p.pagination} onPage={(direction, cursor) => setPage({ direction, cursor })} />
          </>
        )}
      </Loaded>
    </section>
  );
}

function Row({ client, d, onChange }: { client: Client; d: DeliveryResponseDto; onChange: () => void }) {
  const [open, setOpen] = useState(false);
  const action = useAction();
  const name = (d.endpoint_metadata as { name?: string } | null)?.name ?? d.endpoint_id;
  return (
    <>
      <tr data-delivery={d.uid}>
        <td>
          <Badge value={d.status} />
        </td>
        <td>{d.event_type}</td>
        <td>{name}</td>
        <td>
          {d.metadata.num_trials}/{d.metadata.retry_limit}
        </td>
        <td>{when(d.created_at)}</td>
        <td>
          <div class="actions compact">
            <button type="button" aria-expanded={open} aria-controls={`attempts-${d.uid}`} onClick={() => setOpen(!open)}>
              {open ? 'Hide attempts' : 'Attempts'}
            </button>
            {(d.status === 'Failure' || d.status === 'Discarded') && (
              <button
                type="button"
                disabled={action.busy}
                onClick={() =>
                  void action.run(async () => {
                    await unwrap(api.portalActivityResend({ client, path: { eventDeliveryID: d.uid } }));
                    onChange();
                    return 'Sent again';
                  })
                }
              >
                Retry
              </button>
            )}
            <Notice message={action.message} />
          </div>
        </td>
      </tr>
      {open && (
        <tr class="detail">
          <td colSpan={6} id={`attempts-${d.uid}`}>
            <Attempts
              version={`${d.status}:${d.metadata.num_trials}:${d.updated_at}`}
              load={() => unwrap(api.portalActivityAttempts({ client, path: { eventDeliveryID: d.uid } }))}
            />
          </td>
        </tr>
      )}
    </>
  );
}
