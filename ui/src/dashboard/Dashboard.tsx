import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { api, apiClient, unwrap } from '../api/client';
import { Link, match, navigate, useLocation } from '../shared/router';
import { Field, Notice, useAction } from '../shared/ui';
import { DeliveriesPage } from './pages/deliveries';
import { EndpointPage, EndpointsPage } from './pages/endpoints';
import { EventPage } from './pages/event';
import { EventsPage } from './pages/events';
import { MetaEventsPage } from './pages/meta-events';
import { ProjectsPage } from './pages/projects';
import { SubscriptionsPage } from './pages/subscriptions';
import { ClientContext, storedKey, storeKey } from './session';

export function Dashboard() {
  const [key, setKey] = useState(storedKey);
  const [expired, setExpired] = useState(false);
  // a key revoked or expired while signed in: back to the sign-in form, where the user was
  const client = useMemo(
    () =>
      key
        ? apiClient(key, () => {
            storeKey('');
            setKey('');
            setExpired(true);
          })
        : undefined,
    [key],
  );
  const signOut = () => {
    storeKey('');
    setKey('');
    setExpired(false);
    navigate('/ui');
  };
  if (!client)
    return (
      <SignIn
        expired={expired}
        onKey={(k) => {
          storeKey(k);
          setExpired(false);
          setKey(k);
        }}
      />
    );
  return (
    <ClientContext.Provider value={client}>
      <Shell onSignOut={signOut} />
    </ClientContext.Provider>
  );
}

function SignIn({ onKey, expired }: { onKey: (key: string) => void; expired: boolean }) {
  const [key, setKey] = useState('');
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    const k = key.trim();
    void action.run(async () => {
      // any route both key kinds may call: an instance key lists every project, a project key its own
      await unwrap(api.projectsList({ client: apiClient(k) }));
      onKey(k);
    });
  };
  return (
    <main id="main" class="signin">
      <h1>Caravan</h1>
      <p>Sign in to the operator dashboard with the instance admin key or a project API key.</p>
      {expired && (
        <div role="alert" class="notice error">
          The key is no longer accepted (revoked or expired). Sign in again.
        </div>
      )}
      <form onSubmit={submit} aria-describedby="key-help">
        <Field label="API key" type="password" autoComplete="off" spellcheck={false} required value={key} onValue={setKey} />
        <p id="key-help" class="muted">
          A project key looks like <code>CO.&lt;mask&gt;.&lt;secret&gt;</code>. The key is kept in this tab only (session storage) and sent to this server
          alone.
        </p>
        <button type="submit" class="primary" disabled={action.busy || !key.trim()}>
          {action.busy ? 'Checking…' : 'Sign in'}
        </button>
        <Notice message={action.message} />
      </form>
    </main>
  );
}

const SECTIONS = [
  ['endpoints', 'Endpoints'],
  ['subscriptions', 'Subscriptions'],
  ['events', 'Events'],
  ['deliveries', 'Deliveries'],
  ['meta-events', 'Meta events'],
] as const;

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const { path, search } = useLocation();
  const project = /^\/ui\/projects\/([^/]+)/.exec(path)?.[1];
  const pid = project ? decodeURIComponent(project) : undefined;
  const section = pid ? (path.split('/')[4] ?? 'endpoints') : undefined;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/ui" class="brand">
          Caravan
        </Link>
        {pid && (
          <nav aria-label="Project sections">
            <ul>
              {SECTIONS.map(([s, label]) => (
                <li key={s}>
                  <Link href={`/ui/projects/${encodeURIComponent(pid)}/${s}`} aria-current={section === s ? 'page' : undefined}>
                    {label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <button type="button" class="signout" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Route path={path} search={search} />
      </main>
    </>
  );
}

function Route({ path, search }: { path: string; search: URLSearchParams }): ComponentChildren {
  let m: Record<string, string> | undefined;
  if (path === '/ui') return <ProjectsPage />;
  if ((m = match('/ui/projects/:pid', path)) || (m = match('/ui/projects/:pid/endpoints', path))) return <EndpointsPage pid={m.pid} />;
  if ((m = match('/ui/projects/:pid/endpoints/:eid', path))) return <EndpointPage pid={m.pid} eid={m.eid} />;
  if ((m = match('/ui/projects/:pid/subscriptions', path))) return <SubscriptionsPage pid={m.pid} />;
  if ((m = match('/ui/projects/:pid/events', path))) return <EventsPage pid={m.pid} search={search} />;
  if ((m = match('/ui/projects/:pid/events/:evid', path))) return <EventPage pid={m.pid} evid={m.evid} />;
  if ((m = match('/ui/projects/:pid/deliveries', path))) return <DeliveriesPage pid={m.pid} search={search} />;
  if ((m = match('/ui/projects/:pid/meta-events', path))) return <MetaEventsPage pid={m.pid} />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no page at this address. <Link href="/ui">Back to the projects</Link>
      </p>
    </section>
  );
}
