import { useMemo, useState } from 'preact/hooks';
import { api, apiClient, type Client, unwrap } from '../api/client';
import { PageTitle, useAsync } from '../shared/ui';
import { PortalDeliveries } from './deliveries';
import { PortalEndpoints } from './endpoints';
import { forgetToken, takeToken } from './token';

/** The customer portal: one owner's endpoints and what was sent to them, opened by a portal link's token. */
export function Portal() {
  const [token] = useState(takeToken);
  const client = useMemo(() => (token ? apiClient(token) : undefined), [token]);
  if (!client) return <Closed reason="This page opens from a portal link. Ask the service that sends you webhooks for one." />;
  return <Session client={client} />;
}

function Closed({ reason }: { reason: string }) {
  return (
    <main id="main" class="signin">
      <PageTitle app="Webhooks portal">Webhooks portal</PageTitle>
      <div role="alert" class="notice error">
        {reason}
      </div>
    </main>
  );
}

function Session({ client }: { client: Client }) {
  const link = useAsync(() => unwrap(api.portalSessionPortalLink({ client })), [client]);
  const [tick, setTick] = useState(0);
  if (link.error) {
    if (link.error.status === 401) forgetToken();
    return (
      <Closed
        reason={
          link.error.status === 401
            ? 'This portal link no longer works: it was revoked or it expired. Ask for a new link.'
            : `The portal could not be loaded: ${link.error.message}`
        }
      />
    );
  }
  if (!link.value)
    return (
      <main id="main">
        <p role="status" class="muted">
          Loading…
        </p>
      </main>
    );
  const l = link.value;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">{l.project_name}</span>
        <span>Webhooks portal · {l.name}</span>
      </header>
      <main id="main" tabIndex={-1}>
        <PageTitle app={l.project_name}>Your webhook endpoints</PageTitle>
        {!l.can_manage_endpoint && <p class="muted">This link shows your endpoints and deliveries; changing endpoints is not allowed with it.</p>}
        <PortalEndpoints client={client} canManage={l.can_manage_endpoint} onChange={() => setTick((t) => t + 1)} />
        <PortalDeliveries client={client} refresh={tick} />
      </main>
    </>
  );
}
