import { useState } from 'preact/hooks';
import { api, type EndpointResponseDto, unwrap } from '../../api/client';
import { PerMinuteChart } from '../../shared/chart';
import { percent, perMinute, when } from '../../shared/format';
import { Link } from '../../shared/router';
import { Badge, Field, Loaded, Notice, OnceSecret, PageTitle, Table, useAction, useAsync } from '../../shared/ui';
import { CHART_MINUTES, recentDeliveries } from '../data';
import { useClient } from '../session';
import { DeliveriesTable } from './deliveries';

export function EndpointsPage({ pid }: { pid: string }) {
  const client = useClient();
  const endpoints = useAsync(() => unwrap(api.endpointsList({ client, path: { projectID: pid }, query: { perPage: 100 } })), [client, pid]);
  const recent = useAsync(() => recentDeliveries(client, pid), [client, pid]);
  return (
    <section>
      <PageTitle app="Caravan">Endpoints</PageTitle>
      <Loaded state={recent} label="recent deliveries">
        {(r) => (
          <PerMinuteChart
            title="Deliveries per minute, all endpoints"
            buckets={perMinute(r.rows, CHART_MINUTES, Date.now())}
            note={r.truncated ? `from the latest ${r.rows.length} deliveries only` : undefined}
          />
        )}
      </Loaded>
      <Loaded state={endpoints} label="endpoints">
        {(page) => <EndpointsTable pid={pid} rows={page.content} onChange={endpoints.reload} />}
      </Loaded>
      <CreateEndpoint
        pid={pid}
        onCreated={() => {
          endpoints.reload();
        }}
      />
    </section>
  );
}

function EndpointsTable({ pid, rows, onChange }: { pid: string; rows: EndpointResponseDto[]; onChange: () => void }) {
  return (
    <Table caption="Endpoints" empty={rows.length === 0}>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">URL</th>
          <th scope="col">Status</th>
          <th scope="col">Breaker</th>
          <th scope="col">Failure rate</th>
          <th scope="col">Owner</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((e) => (
          <tr key={e.uid}>
            <td>
              <Link href={`/ui/projects/${encodeURIComponent(pid)}/endpoints/${encodeURIComponent(e.uid)}`}>{e.name}</Link>
            </td>
            <td class="wrap">
              <code>{e.url}</code>
            </td>
            <td>
              <Badge value={e.status} label="Status" />
            </td>
            <td>
              <Badge value={e.cb_state ?? 'none yet'} label="Circuit breaker" />
            </td>
            <td title={`${e.failure_count} failed, ${e.success_count} succeeded, ${e.retry_count} retrying`}>{percent(e.failure_rate)}</td>
            <td>{e.owner_id || '—'}</td>
            <td>
              <EndpointActions pid={pid} endpoint={e} onChange={onChange} compact />
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

/** Pause or activate, and roll the signing secret (the old one keeps signing for an hour). */
function EndpointActions({ pid, endpoint, onChange, compact }: { pid: string; endpoint: EndpointResponseDto; onChange: () => void; compact?: boolean }) {
  const client = useClient();
  const action = useAction();
  const [secret, setSecret] = useState<string>();
  const path = { projectID: pid, endpointID: endpoint.uid };
  const toggle = () =>
    action.run(async () => {
      if (endpoint.status === 'active') await unwrap(api.endpointsPause({ client, path }));
      else await unwrap(api.endpointsActivate({ client, path }));
      onChange();
      return endpoint.status === 'active' ? `${endpoint.name} paused` : `${endpoint.name} activated`;
    });
  const rotate = () =>
    action.run(async () => {
      if (!window.confirm(`Roll the signing secret of ${endpoint.name}? The current secret keeps signing for one hour.`)) return;
      const updated = await unwrap(api.endpointsExpireSecret({ client, path, body: { expiration: 3600 } }));
      const live = updated.secrets.filter((s) => !s.deleted_at && !s.expires_at);
      setSecret(live[live.length - 1]?.value);
      return 'Secret rolled';
    });
  return (
    <div class={compact ? 'actions compact' : 'actions'}>
      <button
        type="button"
        onClick={() => void toggle()}
        disabled={action.busy}
        aria-label={`${endpoint.status === 'active' ? 'Pause' : 'Activate'} ${endpoint.name}`}
      >
        {endpoint.status === 'active' ? 'Pause' : 'Activate'}
      </button>
      <button type="button" onClick={() => void rotate()} disabled={action.busy} aria-label={`Roll the secret of ${endpoint.name}`}>
        Roll secret
      </button>
      <Notice message={action.message} />
      {secret && <OnceSecret secret={secret} what="signing secret" onDone={() => setSecret(undefined)} />}
    </div>
  );
}

function CreateEndpoint({ pid, onCreated }: { pid: string; onCreated: () => void }) {
  const client = useClient();
  const action = useAction();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [owner, setOwner] = useState('');
  const [secret, setSecret] = useState<string>();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const created = await unwrap(
        api.endpointsCreate({
          client,
          path: { projectID: pid },
          body: { name: name.trim(), url: url.trim(), ...(owner.trim() ? { owner_id: owner.trim() } : {}) },
        }),
      );
      setSecret(created.secrets[0]?.value);
      setName('');
      setUrl('');
      onCreated();
      return `Endpoint ${created.name} created`;
    });
  };
  return (
    <details class="panel" open={false}>
      <summary>New endpoint</summary>
      <form onSubmit={submit}>
        <Field label="Name" value={name} onValue={setName} required maxLength={200} />
        <Field label="URL" type="url" value={url} onValue={setUrl} required placeholder="https://example.com/webhooks" />
        <Field label="Owner ID (optional)" value={owner} onValue={setOwner} hint="Groups endpoints of one customer; portal links are made per owner." />
        <button type="submit" class="primary" disabled={action.busy}>
          Create endpoint
        </button>
        <Notice message={action.message} />
      </form>
      {secret && <OnceSecret secret={secret} what="signing secret" onDone={() => setSecret(undefined)} />}
    </details>
  );
}

export function EndpointPage({ pid, eid }: { pid: string; eid: string }) {
  const client = useClient();
  const endpoint = useAsync(() => unwrap(api.endpointsGet({ client, path: { projectID: pid, endpointID: eid } })), [client, pid, eid]);
  const recent = useAsync(() => recentDeliveries(client, pid, eid), [client, pid, eid]);
  return (
    <section>
      <p class="crumbs">
        <Link href={`/ui/projects/${encodeURIComponent(pid)}/endpoints`}>Endpoints</Link> /
      </p>
      <Loaded state={endpoint} label="the endpoint">
        {(e) => (
          <>
            <PageTitle app="Caravan">{`Endpoint ${e.name}`}</PageTitle>
            <dl class="facts">
              <dt>URL</dt>
              <dd>
                <code>{e.url}</code>
              </dd>
              <dt>Status</dt>
              <dd>
                <Badge value={e.status} />
              </dd>
              <dt>Circuit breaker</dt>
              <dd>
                <Badge value={e.cb_state ?? 'none yet'} />
              </dd>
              <dt>Failure rate</dt>
              <dd>
                {percent(e.failure_rate)} ({e.failure_count} failed, {e.success_count} succeeded, {e.retry_count} retrying)
              </dd>
              <dt>Owner</dt>
              <dd>{e.owner_id || '—'}</dd>
              <dt>Secrets</dt>
              <dd>
                {e.secrets.filter((s) => !s.deleted_at).length} live{' '}
                {e.secrets.some((s) => s.expires_at) ? `(one expires ${when(e.secrets.find((s) => s.expires_at)?.expires_at)})` : ''}
              </dd>
              <dt>ID</dt>
              <dd>
                <code>{e.uid}</code>
              </dd>
            </dl>
            <EndpointActions pid={pid} endpoint={e} onChange={endpoint.reload} />
          </>
        )}
      </Loaded>
      <Loaded state={recent} label="recent deliveries">
        {(r) => (
          <>
            <PerMinuteChart
              title="Deliveries per minute"
              buckets={perMinute(r.rows, CHART_MINUTES, Date.now())}
              note={r.truncated ? `from the latest ${r.rows.length} deliveries only` : undefined}
            />
            <h2>Recent deliveries</h2>
            <DeliveriesTable pid={pid} rows={r.rows.slice(0, 50)} onChange={recent.reload} />
          </>
        )}
      </Loaded>
    </section>
  );
}
