import { useEffect, useState } from 'preact/hooks';
import { api, type DeliveryResponseDto, unwrap } from '../../api/client';
import { when } from '../../shared/format';
import { Link, navigate } from '../../shared/router';
import { Badge, Field, Loaded, Notice, PageTitle, Pager, Select, Table, useAction, useAsync } from '../../shared/ui';
import { Attempts } from '../../shared/attempts';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../data';
import { useClient } from '../session';

/** Deliveries with a resend button each and their attempts on demand. */
export function DeliveriesTable({
  pid,
  rows,
  onChange,
  showEvent = true,
}: {
  pid: string;
  rows: DeliveryResponseDto[];
  onChange: () => void;
  showEvent?: boolean;
}) {
  const [open, setOpen] = useState<string>();
  return (
    <Table caption="Deliveries" empty={rows.length === 0}>
      <thead>
        <tr>
          <th scope="col">Status</th>
          <th scope="col">Event type</th>
          <th scope="col">Endpoint</th>
          {showEvent && <th scope="col">Event</th>}
          <th scope="col">Tries</th>
          <th scope="col">Latency</th>
          <th scope="col">Created</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((d) => (
          <DeliveryRow
            key={d.uid}
            pid={pid}
            d={d}
            open={open === d.uid}
            onToggle={() => setOpen(open === d.uid ? undefined : d.uid)}
            onChange={onChange}
            showEvent={showEvent}
          />
        ))}
      </tbody>
    </Table>
  );
}

function DeliveryRow({
  pid,
  d,
  open,
  onToggle,
  onChange,
  showEvent,
}: {
  pid: string;
  d: DeliveryResponseDto;
  open: boolean;
  onToggle: () => void;
  onChange: () => void;
  showEvent: boolean;
}) {
  const client = useClient();
  const action = useAction();
  const endpointName = (d.endpoint_metadata as { name?: string } | null)?.name ?? d.endpoint_id;
  const resend = () =>
    action.run(async () => {
      await unwrap(api.deliveriesResend({ client, path: { projectID: pid, eventDeliveryID: d.uid } }));
      onChange();
      return 'Sent again';
    });
  const cols = showEvent ? 8 : 7;
  return (
    <>
      <tr data-delivery={d.uid}>
        <td>
          <Badge value={d.status} />
        </td>
        <td>{d.event_type}</td>
        <td>
          <Link href={`/ui/projects/${encodeURIComponent(pid)}/endpoints/${encodeURIComponent(d.endpoint_id)}`}>{endpointName}</Link>
        </td>
        {showEvent && (
          <td>
            <Link href={`/ui/projects/${encodeURIComponent(pid)}/events/${encodeURIComponent(d.event_id)}`}>
              <code>{d.event_id.slice(-8)}</code>
              <span class="visually-hidden"> (event {d.event_id})</span>
            </Link>
          </td>
        )}
        <td>
          {d.metadata.num_trials}/{d.metadata.retry_limit}
        </td>
        <td>{d.latency || '—'}</td>
        <td>{when(d.created_at)}</td>
        <td>
          <div class="actions compact">
            <button type="button" aria-expanded={open} aria-controls={`attempts-${d.uid}`} onClick={onToggle}>
              {open ? 'Hide attempts' : 'Attempts'}
            </button>
            <button type="button" onClick={() => void resend()} disabled={action.busy || d.status === 'Processing' || d.status === 'Scheduled'}>
              Resend
            </button>
            <Notice message={action.message} />
          </div>
        </td>
      </tr>
      {open && (
        <tr class="detail">
          <td colSpan={cols} id={`attempts-${d.uid}`}>
            <Attempts
              version={`${d.status}:${d.metadata.num_trials}:${d.updated_at}`}
              load={() => unwrap(api.deliveriesAttempts({ client, path: { projectID: pid, eventDeliveryID: d.uid } }))}
            />
          </td>
        </tr>
      )}
    </>
  );
}

export function DeliveriesPage({ pid, search }: { pid: string; search: URLSearchParams }) {
  const client = useClient();
  const status = search.getAll('status').filter((s): s is DeliveryStatus => (DELIVERY_STATUSES as readonly string[]).includes(s));
  const endpointId = search.get('endpointId') ?? '';
  const eventType = search.get('event_type') ?? '';
  const cursor = search.get('cursor') ?? '';
  const direction = search.get('direction') === 'prev' ? 'prev' : 'next';
  const filters = {
    ...(status.length ? { status } : {}),
    ...(endpointId ? { endpointId: [endpointId] } : {}),
    ...(eventType ? { event_type: eventType } : {}),
  };
  const key = search.toString();
  const list = useAsync(
    () =>
      unwrap(
        api.deliveriesList({
          client,
          path: { projectID: pid },
          query: {
            perPage: 50,
            ...filters,
            ...(cursor ? (direction === 'next' ? { direction, next_page_cursor: cursor } : { direction, prev_page_cursor: cursor }) : {}),
          },
        }),
      ),
    [client, pid, key],
  );
  const endpoints = useAsync(() => unwrap(api.endpointsList({ client, path: { projectID: pid }, query: { perPage: 100 } })), [client, pid]);
  const [draft, setDraft] = useState({ status, endpointId, eventType });
  // back and forward change the filters in the address: the form follows them
  useEffect(() => setDraft({ status, endpointId, eventType }), [key]);
  const retry = useAction();
  const go = (p: URLSearchParams) => navigate(`/ui/projects/${encodeURIComponent(pid)}/deliveries${p.size ? `?${p.toString()}` : ''}`);
  const apply = (e: Event) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const s of draft.status) p.append('status', s);
    if (draft.endpointId) p.set('endpointId', draft.endpointId);
    if (draft.eventType.trim()) p.set('event_type', draft.eventType.trim());
    go(p);
  };
  const batchRetry = () =>
    retry.run(async () => {
      const r = await unwrap(api.deliveriesBatchRetry({ client, path: { projectID: pid }, query: filters }));
      list.reload();
      return `${r.resent} ${r.resent === 1 ? 'delivery' : 'deliveries'} queued again`;
    });
  return (
    <section>
      <PageTitle app="Caravan">Deliveries</PageTitle>
      <form class="filters" onSubmit={apply} aria-label="Filter deliveries">
        <fieldset>
          <legend>Status</legend>
          <div class="checks">
            {DELIVERY_STATUSES.map((s) => (
              <label key={s} class="check">
                <input
                  type="checkbox"
                  checked={draft.status.includes(s)}
                  onChange={(e) => setDraft({ ...draft, status: e.currentTarget.checked ? [...draft.status, s] : draft.status.filter((x) => x !== s) })}
                />{' '}
                {s}
              </label>
            ))}
          </div>
        </fieldset>
        <Select
          label="Endpoint"
          value={draft.endpointId}
          onValue={(v) => setDraft({ ...draft, endpointId: v })}
          options={[{ value: '', label: 'All endpoints' }, ...(endpoints.value?.content ?? []).map((e) => ({ value: e.uid, label: e.name }))]}
        />
        <Field label="Event type" value={draft.eventType} onValue={(v) => setDraft({ ...draft, eventType: v })} />
        <div class="row">
          <button type="submit" class="primary">
            Apply filters
          </button>
          <button type="button" onClick={() => void batchRetry()} disabled={retry.busy}>
            Retry all matching
          </button>
        </div>
        <Notice message={retry.message} />
      </form>
      <Loaded state={list} label="deliveries">
        {(page) => (
          <>
            <DeliveriesTable pid={pid} rows={page.content} onChange={list.reload} />
            <Pager
              pagination={page.pagination}
              onPage={(dir, c) => {
                const p = new URLSearchParams(search);
                p.set('direction', dir);
                p.set('cursor', c);
                go(p);
              }}
            />
          </>
        )}
      </Loaded>
    </section>
  );
}
