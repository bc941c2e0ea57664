import type { AttemptResponseDto } from '../api/client';
import { excerpt, when } from './format';
import { Badge, Loaded, Pre, useAsync } from './ui';

export type Attempt = Pick<
  AttemptResponseDto,
  | 'uid'
  | 'url'
  | 'method'
  | 'http_status'
  | 'request_http_header'
  | 'response_http_header'
  | 'response_data'
  | 'error'
  | 'error_class'
  | 'status'
  | 'duration_ms'
  | 'created_at'
> &
  Partial<Pick<AttemptResponseDto, 'ip_address'>>;

function Headers({ headers, label }: { headers: Record<string, string> | null | undefined; label: string }) {
  const entries = Object.entries(headers ?? {});
  if (entries.length === 0) return <p class="muted">No {label.toLowerCase()}.</p>;
  return (
    <dl class="headers" aria-label={label}>
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Every attempt of a delivery, newest first: outcome, error class, latency, both sides' headers and the start of the answer. */
export function Attempts({ load, version }: { load: () => Promise<Attempt[]>; version: string }) {
  // `version` changes with the delivery (a resend, a new try): the attempts are read again
  const attempts = useAsync(load, [version]);
  return (
    <Loaded state={attempts} label="attempts">
      {(list) =>
        list.length === 0 ? (
          <p class="muted">No attempt yet.</p>
        ) : (
          <ol class="attempts" aria-label="Attempts">
            {[...list].reverse().map((a, i) => {
              const body = excerpt(a.response_data);
              return (
                <li key={a.uid} class="attempt" data-attempt={a.uid}>
                  <h3>
                    Attempt {list.length - i}: <Badge value={a.status ? 'Success' : 'Failure'} /> <span>HTTP {a.http_status || '—'}</span>{' '}
                    <span class="muted">
                      {a.duration_ms} ms · {when(a.created_at)}
                    </span>
                  </h3>
                  <p>
                    <code>
                      {a.method} {a.url}
                    </code>
                    {a.ip_address ? <span class="muted"> ({a.ip_address})</span> : null}
                  </p>
                  {(a.error || a.error_class) && (
                    <p class="error-line">
                      <strong>Error</strong> {a.error_class ? <code>{a.error_class}</code> : null} {a.error}
                    </p>
                  )}
                  <details>
                    <summary>Request headers</summary>
                    <Headers headers={a.request_http_header} label="Request headers" />
                  </details>
                  <details>
                    <summary>Response headers</summary>
                    <Headers headers={a.response_http_header} label="Response headers" />
                  </details>
                  <details open={!a.status}>
                    <summary>Response body{body.cut ? ' (first 2,000 characters)' : ''}</summary>
                    {body.text ? <Pre text={body.text} label="Response body" /> : <p class="muted">Empty.</p>}
                  </details>
                </li>
              );
            })}
          </ol>
        )
      }
    </Loaded>
  );
}
