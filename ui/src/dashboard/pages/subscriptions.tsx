import { useState } from 'preact/hooks';
import { api, type SubscriptionResponseDto, unwrap } from '../../api/client';
import { json, parseObject, when } from '../../shared/format';
import { Field, Loaded, Notice, PageTitle, Pre, Select, Table, TextArea, useAction, useAsync } from '../../shared/ui';
import { useClient } from '../session';

export function SubscriptionsPage({ pid }: { pid: string }) {
  const client = useClient();
  const subs = useAsync(() => unwrap(api.subscriptionsList({ client, path: { projectID: pid }, query: { perPage: 100 } })), [client, pid]);
  const endpoints = useAsync(() => unwrap(api.endpointsList({ client, path: { projectID: pid }, query: { perPage: 100 } })), [client, pid]);
  const [tryFilter, setTryFilter] = useState<{ body: string; headers: string }>();
  const names = new Map((endpoints.value?.content ?? []).map((e) => [e.uid, e.name]));
  return (
    <section>
      <PageTitle app="Caravan">Subscriptions</PageTitle>
      <Loaded state={subs} label="subscriptions">
        {(page) => (
          <Table caption="Subscriptions" empty={page.content.length === 0}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Endpoint</th>
                <th scope="col">Event types</th>
                <th scope="col">Filter</th>
                <th scope="col">Per event type</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {page.content.map((s) => (
                <tr key={s.uid}>
                  <td>{s.name}</td>
                  <td>{names.get(s.endpoint_id) ?? s.endpoint_id}</td>
                  <td>{s.filter_config.event_types.join(', ') || '*'}</td>
                  <td>
                    <FilterCell sub={s} onTry={setTryFilter} />
                  </td>
                  <td>
                    <TypeFilters pid={pid} sub={s} onTry={setTryFilter} />
                  </td>
                  <td>{when(s.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Loaded>
      <TestFilter pid={pid} preset={tryFilter} />
      <CreateSubscription pid={pid} endpoints={(endpoints.value?.content ?? []).map((e) => ({ value: e.uid, label: e.name }))} onCreated={subs.reload} />
    </section>
  );
}

function FilterCell({ sub, onTry }: { sub: SubscriptionResponseDto; onTry: (f: { body: string; headers: string }) => void }) {
  const f = sub.filter_config.filter;
  const none = Object.keys(f.body ?? {}).length === 0 && Object.keys(f.headers ?? {}).length === 0;
  if (none) return <span class="muted">none</span>;
  return (
    <details>
      <summary>Show filter</summary>
      <Pre text={json({ body: f.body, headers: f.headers })} label={`Filter of ${sub.name}`} />
      <button type="button" onClick={() => onTry({ body: json(f.body ?? {}), headers: json(f.headers ?? {}) })}>
        Try this filter
      </button>
    </details>
  );
}

/** The subscription's filter rows, one per event type (`…/subscriptions/{id}/filters`), read when opened. */
function TypeFilters({ pid, sub, onTry }: { pid: string; sub: SubscriptionResponseDto; onTry: (f: { body: string; headers: string }) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Filters by type</summary>
      {open && <TypeFilterList pid={pid} sub={sub} onTry={onTry} />}
    </details>
  );
}

function TypeFilterList({ pid, sub, onTry }: { pid: string; sub: SubscriptionResponseDto; onTry: (f: { body: string; headers: string }) => void }) {
  const client = useClient();
  const filters = useAsync(() => unwrap(api.subscriptionFiltersList({ client, path: { projectID: pid, subscriptionID: sub.uid } })), [client, pid, sub.uid]);
  return (
    <Loaded state={filters} label="filters">
      {(list) =>
        list.length === 0 ? (
          <p class="muted">No filter rows.</p>
        ) : (
          <ul class="plain">
            {list.map((f) => (
              <li key={f.uid}>
                <strong>{f.event_type}</strong> {f.enabled_at ? '' : <span class="badge warn">off</span>}
                <Pre text={json({ body: f.body, headers: f.headers })} label={`Filter for ${f.event_type}`} />
                <button type="button" onClick={() => onTry({ body: json(f.body ?? {}), headers: json(f.headers ?? {}) })}>
                  Try this filter
                </button>
              </li>
            ))}
          </ul>
        )
      }
    </Loaded>
  );
}

/** Convoy's test_filter route: whether a sample request passes a filter, before saving it. */
function TestFilter({ pid, preset }: { pid: string; preset?: { body: string; headers: string } }) {
  const client = useClient();
  const action = useAction();
  const [sampleBody, setSampleBody] = useState('{"amount": 120}');
  const [sampleHeaders, setSampleHeaders] = useState('{}');
  const [filterBody, setFilterBody] = useState('{"amount": {"$gte": 100}}');
  const [filterHeaders, setFilterHeaders] = useState('{}');
  const [applied, setApplied] = useState<typeof preset>();
  if (preset && preset !== applied) {
    setApplied(preset);
    setFilterBody(preset.body);
    setFilterHeaders(preset.headers);
  }
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const parts = [
        parseObject(sampleBody, 'The sample body'),
        parseObject(sampleHeaders, 'The sample headers'),
        parseObject(filterBody, 'The body filter'),
        parseObject(filterHeaders, 'The header filter'),
      ];
      const bad = parts.find((p) => p.error);
      if (bad) throw new Error(bad.error);
      const [rb, rh, fb, fh] = parts.map((p) => p.value ?? {});
      const matched = await unwrap(
        api.subscriptionsTestFilter({
          client,
          path: { projectID: pid },
          body: { request: { body: rb, headers: rh }, schema: { body: fb, headers: fh } },
        }),
      );
      return matched ? 'Match: this request would be delivered' : 'No match: this request would not be delivered';
    });
  };
  return (
    <section class="panel" aria-labelledby="test-filter-title">
      <h2 id="test-filter-title">Test a filter</h2>
      <form onSubmit={submit} class="grid2">
        <TextArea label="Sample payload (JSON)" value={sampleBody} onValue={setSampleBody} />
        <TextArea
          label="Body filter (JSON)"
          value={filterBody}
          onValue={setFilterBody}
          hint="Operators: $eq, $neq, $gt, $gte, $lt, $lte, $in, $nin, $exist, $regex, $or, $and"
        />
        <TextArea label="Sample headers (JSON)" value={sampleHeaders} onValue={setSampleHeaders} rows={2} />
        <TextArea label="Header filter (JSON)" value={filterHeaders} onValue={setFilterHeaders} rows={2} />
        <div class="row">
          <button type="submit" class="primary" disabled={action.busy}>
            Test filter
          </button>
        </div>
      </form>
      <Notice message={action.message} />
    </section>
  );
}

function CreateSubscription({ pid, endpoints, onCreated }: { pid: string; endpoints: { value: string; label: string }[]; onCreated: () => void }) {
  const client = useClient();
  const action = useAction();
  const [name, setName] = useState('');
  const [endpoint, setEndpoint] = useState('');
  const [types, setTypes] = useState('*');
  const [body, setBody] = useState('');
  const [headers, setHeaders] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const b = parseObject(body, 'The body filter');
      const h = parseObject(headers, 'The header filter');
      if (b.error || h.error) throw new Error(b.error ?? h.error);
      const endpoint_id = endpoint || endpoints[0]?.value;
      if (!endpoint_id) throw new Error('Create an endpoint first');
      const event_types = types
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const created = await unwrap(
        api.subscriptionsCreate({
          client,
          path: { projectID: pid },
          body: {
            name: name.trim(),
            endpoint_id,
            filter_config: { event_types: event_types.length ? event_types : ['*'], filter: { body: b.value, headers: h.value } },
          },
        }),
      );
      setName('');
      onCreated();
      return `Subscription ${created.name} created`;
    });
  };
  return (
    <details class="panel">
      <summary>New subscription</summary>
      <form onSubmit={submit}>
        <Field label="Name" value={name} onValue={setName} required />
        <Select label="Endpoint" value={endpoint || endpoints[0]?.value || ''} onValue={setEndpoint} options={endpoints} />
        <Field label="Event types" value={types} onValue={setTypes} hint="Comma-separated; * matches every type." />
        <TextArea label="Body filter (JSON, optional)" value={body} onValue={setBody} rows={3} />
        <TextArea label="Header filter (JSON, optional)" value={headers} onValue={setHeaders} rows={2} />
        <button type="submit" class="primary" disabled={action.busy}>
          Create subscription
        </button>
        <Notice message={action.message} />
      </form>
    </details>
  );
}
