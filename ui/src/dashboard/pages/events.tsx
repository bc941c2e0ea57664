import { useEffect, useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import { parseObject, rfc3339, when } from '../../shared/format';
import { Link, navigate } from '../../shared/router';
import { Badge, Field, Loaded, Notice, PageTitle, Pager, Select, Table, TextArea, useAction, useAsync } from '../../shared/ui';
import { useClient } from '../session';

const SEARCH_KEYS = ['query', 'body', 'event_type', 'endpointId', 'idempotencyKey', 'startDate', 'endDate'] as const;

/** Events with the list route's search: free text (`query`), payload containment (`body`), type, endpoint, key and dates. */
export function EventsPage({ pid, search }: { pid: string; search: URLSearchParams }) {
  const client = useClient();
  const get = (k: string) => search.get(k) ?? '';
  const cursor = get('cursor');
  const direction = get('direction') === 'prev' ? 'prev' : 'next';
  const key = search.toString();
  const list = useAsync(() => {
    const q: Record<string, unknown> = { perPage: 25 };
    for (const k of SEARCH_KEYS) if (get(k)) q[k] = k === 'endpointId' ? [get(k)] : get(k);
    if (cursor) Object.assign(q, direction === 'next' ? { direction, next_page_cursor: cursor } : { direction, prev_page_cursor: cursor });
    return unwrap(api.eventsList({ client, path: { projectID: pid }, query: q }));
  }, [client, pid, key]);
  const endpoints = useAsync(() => unwrap(api.endpointsList({ client, path: { projectID: pid }, query: { perPage: 100 } })), [client, pid]);
  const [draft, setDraft] = useState({
    query: get('query'),
    body: get('body'),
    event_type: get('event_type'),
    endpointId: get('endpointId'),
    idempotencyKey: get('idempotencyKey'),
    start: '',
    end: '',
  });
  const [formError, setFormError] = useState<string>();
  // back and forward change the search in the address: the form follows it (the dates are kept as typed)
  useEffect(
    () =>
      setDraft((d) => ({
        ...d,
        query: get('query'),
        body: get('body'),
        event_type: get('event_type'),
        endpointId: get('endpointId'),
        idempotencyKey: get('idempotencyKey'),
      })),
    [key],
  );
  const go = (p: URLSearchParams) => navigate(`/ui/projects/${encodeURIComponent(pid)}/events${p.size ? `?${p.toString()}` : ''}`);
  const apply = (e: Event) => {
    e.preventDefault();
    if (draft.body.trim()) {
      const parsed = parseObject(draft.body, 'The payload filter');
      if (parsed.error) return setFormError(parsed.error);
    }
    setFormError(undefined);
    const p = new URLSearchParams();
    const set = (k: string, v: string | undefined) => v?.trim() && p.set(k, v.trim());
    set('query', draft.query);
    set('body', draft.body);
    set('event_type', draft.event_type);
    set('endpointId', draft.endpointId);
    set('idempotencyKey', draft.idempotencyKey);
    set('startDate', rfc3339(draft.start));
    set('endDate', rfc3339(draft.end));
    go(p);
  };
  const endpointOptions = [{ value: '', label: 'All endpoints' }, ...(endpoints.value?.content ?? []).map((e) => ({ value: e.uid, label: e.name }))];
  return (
    <section>
      <PageTitle app="Caravan">Events</PageTitle>
      <form class="filters" role="search" aria-label="Search events" onSubmit={apply}>
        <Field
          label="Search"
          value={draft.query}
          onValue={(v) => setDraft({ ...draft, query: v })}
          hint="An event ID prefix, idempotency key, event type or source name."
        />
        <TextArea
          label="Payload contains (JSON)"
          rows={2}
          value={draft.body}
          onValue={(v) => setDraft({ ...draft, body: v })}
          hint='For example {"customer":{"id":"c_1"}}'
        />
        <Field label="Event type" value={draft.event_type} onValue={(v) => setDraft({ ...draft, event_type: v })} />
        <Select label="Endpoint" value={draft.endpointId} onValue={(v) => setDraft({ ...draft, endpointId: v })} options={endpointOptions} />
        <Field label="Idempotency key" value={draft.idempotencyKey} onValue={(v) => setDraft({ ...draft, idempotencyKey: v })} />
        <Field label="From" type="datetime-local" value={draft.start} onValue={(v) => setDraft({ ...draft, start: v })} />
        <Field label="Until" type="datetime-local" value={draft.end} onValue={(v) => setDraft({ ...draft, end: v })} />
        <div class="row">
          <button type="submit" class="primary">
            Search
          </button>
        </div>
        {formError && (
          <div role="alert" class="notice error">
            {formError}
          </div>
        )}
      </form>
      <Loaded state={list} label="events">
        {(page) => (
          <>
            <Table caption="Events" empty={page.content.length === 0}>
              <thead>
                <tr>
                  <th scope="col">Event type</th>
                  <th scope="col">Status</th>
                  <th scope="col">ID</th>
                  <th scope="col">Endpoints</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {page.content.map((ev) => (
                  <tr key={ev.uid}>
                    <td>
                      <Link href={`/ui/projects/${encodeURIComponent(pid)}/events/${encodeURIComponent(ev.uid)}`}>{ev.event_type}</Link>
                    </td>
                    <td>
                      <Badge value={ev.status} />
                    </td>
                    <td>
                      <code>{ev.uid}</code>
                    </td>
                    <td>{ev.endpoints.length}</td>
                    <td>{when(ev.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
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
      <SendEvent pid={pid} endpoints={endpointOptions.slice(1)} onSent={list.reload} />
    </section>
  );
}

function SendEvent({ pid, endpoints, onSent }: { pid: string; endpoints: { value: string; label: string }[]; onSent: () => void }) {
  const client = useClient();
  const action = useAction();
  const [endpoint, setEndpoint] = useState('');
  const [type, setType] = useState('');
  const [data, setData] = useState('{}');
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const parsed = parseObject(data, 'The payload');
      if (parsed.error) throw new Error(parsed.error);
      const endpoint_id = endpoint || endpoints[0]?.value;
      if (!endpoint_id) throw new Error('Create an endpoint first');
      const ev = await unwrap(api.eventsCreate({ client, path: { projectID: pid }, body: { endpoint_id, event_type: type.trim(), data: parsed.value ?? {} } }));
      onSent();
      return `Event ${ev.uid} sent`;
    });
  };
  return (
    <details class="panel">
      <summary>Send a test event</summary>
      <form onSubmit={submit}>
        <Select label="To endpoint" value={endpoint || endpoints[0]?.value || ''} onValue={setEndpoint} options={endpoints} />
        <Field label="Type of the event to send" value={type} onValue={setType} required placeholder="invoice.paid" />
        <TextArea label="Payload (JSON)" value={data} onValue={setData} rows={5} />
        <button type="submit" class="primary" disabled={action.busy}>
          Send event
        </button>
        <Notice message={action.message} />
      </form>
    </details>
  );
}
