import { useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import { json, when } from '../../shared/format';
import { Badge, Loaded, Notice, PageTitle, Pager, Pre, Table, useAction, useAsync } from '../../shared/ui';
import { useClient } from '../session';

/** The project's meta events (`eventdelivery.*`, `endpoint.*` notices sent to the project's own URL), with resend. */
export function MetaEventsPage({ pid }: { pid: string }) {
  const client = useClient();
  const [page, setPage] = useState<{ direction: 'next' | 'prev'; cursor: string }>();
  const list = useAsync(
    () =>
      unwrap(
        api.metaEventsList({
          client,
          path: { projectID: pid },
          query: {
            perPage: 25,
            ...(page
              ? page.direction === 'next'
                ? { direction: 'next', next_page_cursor: page.cursor }
                : { direction: 'prev', prev_page_cursor: page.cursor }
              : {}),
          },
        }),
      ),
    [client, pid, page?.cursor, page?.direction],
  );
  return (
    <section>
      <PageTitle app="Caravan">Meta events</PageTitle>
      <p class="muted">Sent to the URL in the project's meta-event settings when deliveries or endpoints change.</p>
      <Loaded state={list} label="meta events">
        {(p) => (
          <>
            <Table caption="Meta events" empty={p.content.length === 0}>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Status</th>
                  <th scope="col">Tries</th>
                  <th scope="col">Created</th>
                  <th scope="col">Payload</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {p.content.map((m) => (
                  <tr key={m.uid}>
                    <td>{m.event_type}</td>
                    <td>
                      <Badge value={m.status} />
                    </td>
                    <td>
                      {m.metadata.num_trials}/{m.metadata.retry_limit}
                    </td>
                    <td>{when(m.created_at)}</td>
                    <td>
                      <details>
                        <summary>Show</summary>
                        <Pre text={json(m.metadata.data)} label="Meta event payload" />
                        {m.attempt && <Pre text={m.attempt.response_data || '(empty answer)'} label="Last answer" />}
                      </details>
                    </td>
                    <td>
                      <Resend pid={pid} id={m.uid} onDone={list.reload} />
                    </td>
                  </tr>
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

function Resend({ pid, id, onDone }: { pid: string; id: string; onDone: () => void }) {
  const client = useClient();
  const action = useAction();
  return (
    <div class="actions compact">
      <button
        type="button"
        disabled={action.busy}
        onClick={() =>
          void action.run(async () => {
            await unwrap(api.metaEventsResend({ client, path: { projectID: pid, metaEventID: id } }));
            onDone();
            return 'Queued again';
          })
        }
      >
        Resend
      </button>
      <Notice message={action.message} />
    </div>
  );
}
