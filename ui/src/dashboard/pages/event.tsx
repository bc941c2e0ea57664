import { api, unwrap } from '../../api/client';
import { json, when } from '../../shared/format';
import { Link } from '../../shared/router';
import { Badge, Loaded, Notice, PageTitle, Pre, useAction, useAsync } from '../../shared/ui';
import { useClient } from '../session';
import { DeliveriesTable } from './deliveries';

/** One event: its payload and headers, a replay button, its deliveries and their attempts. */
export function EventPage({ pid, evid }: { pid: string; evid: string }) {
  const client = useClient();
  const event = useAsync(() => unwrap(api.eventsGet({ client, path: { projectID: pid, eventID: evid } })), [client, pid, evid]);
  const deliveries = useAsync(
    () => unwrap(api.deliveriesList({ client, path: { projectID: pid }, query: { eventId: evid, perPage: 100 } })),
    [client, pid, evid],
  );
  const replay = useAction();
  const doReplay = () =>
    replay.run(async () => {
      await unwrap(api.eventsReplay({ client, path: { projectID: pid, eventID: evid } }));
      deliveries.reload();
      return 'Event replayed: its deliveries are sent again';
    });
  return (
    <section>
      <p class="crumbs">
        <Link href={`/ui/projects/${encodeURIComponent(pid)}/events`}>Events</Link> /
      </p>
      <Loaded state={event} label="the event">
        {(ev) => (
          <>
            <PageTitle app="Caravan">{`Event ${ev.event_type}`}</PageTitle>
            <dl class="facts">
              <dt>ID</dt>
              <dd>
                <code>{ev.uid}</code>
              </dd>
              <dt>Status</dt>
              <dd>
                <Badge value={ev.status} />
              </dd>
              <dt>Created</dt>
              <dd>{when(ev.created_at)}</dd>
              <dt>Idempotency key</dt>
              <dd>{ev.idempotency_key || '—'}</dd>
              {ev.failure_reason ? (
                <>
                  <dt>Failure</dt>
                  <dd>{ev.failure_reason}</dd>
                </>
              ) : null}
            </dl>
            <div class="actions">
              <button type="button" onClick={() => void doReplay()} disabled={replay.busy}>
                Replay event
              </button>
              <Notice message={replay.message} />
            </div>
            <h2>Payload</h2>
            <Pre text={ev.raw || json(ev.data)} label="Payload" />
            {Object.keys(ev.headers ?? {}).length > 0 && (
              <details>
                <summary>Custom headers</summary>
                <Pre text={json(ev.headers)} label="Custom headers" />
              </details>
            )}
          </>
        )}
      </Loaded>
      <h2>Deliveries</h2>
      <div class="row">
        <button type="button" onClick={deliveries.reload}>
          Refresh deliveries
        </button>
      </div>
      <Loaded state={deliveries} label="deliveries">
        {(page) => <DeliveriesTable pid={pid} rows={page.content} onChange={deliveries.reload} showEvent={false} />}
      </Loaded>
    </section>
  );
}
