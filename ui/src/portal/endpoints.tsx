import { useState } from 'preact/hooks';
import { api, type Client, type EndpointResponseDto, unwrap } from '../api/client';
import { percent } from '../shared/format';
import { Badge, Field, Loaded, Notice, OnceSecret, Table, useAction, useAsync } from '../shared/ui';

export function PortalEndpoints({ client, canManage, onChange }: { client: Client; canManage: boolean; onChange: () => void }) {
  const list = useAsync(() => unwrap(api.portalEndpointsList({ client, query: { perPage: 100 } })), [client]);
  const [secret, setSecret] = useState<string>();
  const changed = () => {
    list.reload();
    onChange();
  };
  return (
    <section aria-labelledby="endpoints-title">
      <h2 id="endpoints-title">Endpoints</h2>
      {secret && <OnceSecret secret={secret} what="signing secret" onDone={() => setSecret(undefined)} />}
      <Loaded state={list} label="your endpoints">
        {(page) => (
          <Table caption="Your endpoints" empty={page.content.length === 0}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">URL</th>
                <th scope="col">Status</th>
                <th scope="col">Failure rate</th>
                {canManage && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {page.content.map((e) => (
                <EndpointRow key={e.uid} client={client} e={e} canManage={canManage} onChange={changed} onSecret={setSecret} />
              ))}
            </tbody>
          </Table>
        )}
      </Loaded>
      {canManage && <NewEndpoint client={client} onCreated={(s) => (setSecret(s), changed())} />}
    </section>
  );
}

function newestSecret(e: EndpointResponseDto): string | undefined {
  const live = e.secrets.filter((s) => s.value && !s.deleted_at && !s.expires_at);
  return live[live.length - 1]?.value;
}

function EndpointRow({
  client,
  e,
  canManage,
  onChange,
  onSecret,
}: {
  client: Client;
  e: EndpointResponseDto;
  canManage: boolean;
  onChange: () => void;
  onSecret: (s: string | undefined) => void;
}) {
  const action = useAction();
  const [editing, setEditing] = useState(false);
  const path = { endpointID: e.uid };
  const pause = () =>
    action.run(async () => {
      const u = await unwrap(api.portalEndpointsPause({ client, path }));
      onChange();
      return u.status === 'paused' ? 'Paused' : 'Resumed';
    });
  const roll = () =>
    action.run(async () => {
      if (!window.confirm(`Roll the signing secret of ${e.name}? The current secret keeps signing for one hour.`)) return;
      onSecret(newestSecret(await unwrap(api.portalEndpointsExpireSecret({ client, path, body: { expiration: 3600 } }))));
      return 'Secret rolled';
    });
  const remove = () =>
    action.run(async () => {
      if (!window.confirm(`Delete the endpoint ${e.name}? Nothing more is sent to it.`)) return;
      await unwrap(api.portalEndpointsDelete({ client, path }));
      onChange();
    });
  return (
    <>
      <tr data-endpoint={e.uid}>
        <td>{e.name}</td>
        <td class="wrap">
          <code>{e.url}</code>
        </td>
        <td>
          <Badge value={e.status} label="Status" />
        </td>
        <td>{percent(e.failure_rate)}</td>
        {canManage && (
          <td>
            <div class="actions compact">
              <button type="button" aria-expanded={editing} onClick={() => setEditing(!editing)} aria-label={`Edit ${e.name}`}>
                Edit
              </button>
              <button
                type="button"
                disabled={action.busy || e.status === 'inactive'}
                onClick={() => void pause()}
                aria-label={`${e.status === 'paused' ? 'Resume' : 'Pause'} ${e.name}`}
              >
                {e.status === 'paused' ? 'Resume' : 'Pause'}
              </button>
              <button type="button" disabled={action.busy} onClick={() => void roll()} aria-label={`Roll the secret of ${e.name}`}>
                Roll secret
              </button>
              <button type="button" class="danger" disabled={action.busy} onClick={() => void remove()} aria-label={`Delete ${e.name}`}>
                Delete
              </button>
              <Notice message={action.message} />
            </div>
          </td>
        )}
      </tr>
      {editing && (
        <tr class="detail">
          <td colSpan={5}>
            <EditEndpoint
              client={client}
              e={e}
              onDone={() => {
                setEditing(false);
                onChange();
              }}
            />
          </td>
        </tr>
      )}
    </>
  );
}

function EditEndpoint({ client, e, onDone }: { client: Client; e: EndpointResponseDto; onDone: () => void }) {
  const action = useAction();
  const [name, setName] = useState(e.name);
  const [url, setUrl] = useState(e.url);
  const submit = (ev: Event) => {
    ev.preventDefault();
    void action.run(async () => {
      await unwrap(api.portalEndpointsUpdate({ client, path: { endpointID: e.uid }, body: { name: name.trim(), url: url.trim() } }));
      onDone();
    });
  };
  return (
    <form onSubmit={submit} aria-label={`Edit ${e.name}`}>
      <Field label="Name" value={name} onValue={setName} required />
      <Field label="URL" type="url" value={url} onValue={setUrl} required />
      <button type="submit" class="primary" disabled={action.busy}>
        Save
      </button>
      <Notice message={action.message} />
    </form>
  );
}

function NewEndpoint({ client, onCreated }: { client: Client; onCreated: (secret: string | undefined) => void }) {
  const action = useAction();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const submit = (ev: Event) => {
    ev.preventDefault();
    void action.run(async () => {
      const e = await unwrap(api.portalEndpointsCreate({ client, body: { name: name.trim(), url: url.trim() } }));
      setName('');
      setUrl('');
      onCreated(newestSecret(e));
      return `Endpoint ${e.name} added`;
    });
  };
  return (
    <details class="panel">
      <summary>Add an endpoint</summary>
      <form onSubmit={submit}>
        <Field label="Name" value={name} onValue={setName} required maxLength={200} />
        <Field label="URL" type="url" value={url} onValue={setUrl} required placeholder="https://example.com/webhooks" />
        <button type="submit" class="primary" disabled={action.busy}>
          Add endpoint
        </button>
        <Notice message={action.message} />
      </form>
    </details>
  );
}
