import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';

export interface Async<T> {
  value?: T;
  error?: ApiError;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` now and whenever `deps` change or reload() is called; a later answer replaces an earlier one. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ value?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (value) => mine === seq.current && setState({ value, loading: false }),
      (e: unknown) => mine === seq.current && setState({ error: asApiError(e), loading: false }),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

export function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, e instanceof Error ? e.message : String(e));
}

/** Runs one action at a time (a button's), keeping its outcome for a status line. */
export function useAction(): {
  busy: boolean;
  message?: { kind: 'ok' | 'error'; text: string };
  run: (what: () => Promise<string | void>) => Promise<void>;
  clear: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const run = async (what: () => Promise<string | void>) => {
    setBusy(true);
    setMessage(undefined);
    try {
      const text = await what();
      if (text) setMessage({ kind: 'ok', text });
    } catch (e) {
      setMessage({ kind: 'error', text: asApiError(e).message });
    } finally {
      setBusy(false);
    }
  };
  return { busy, message, run, clear: () => setMessage(undefined) };
}

export function Notice({ message }: { message?: { kind: 'ok' | 'error'; text: string } }) {
  if (!message) return <div role="status" aria-live="polite" class="notice-slot" />;
  return message.kind === 'error' ? (
    <div role="alert" class="notice error">
      {message.text}
    </div>
  ) : (
    <div role="status" aria-live="polite" class="notice ok">
      {message.text}
    </div>
  );
}

/** The loading and error states of a section, then its content. */
export function Loaded<T>({ state, children, label }: { state: Async<T>; label: string; children: (value: T) => ComponentChildren }) {
  if (state.error)
    return (
      <div role="alert" class="notice error">
        Could not load {label}: {state.error.message}{' '}
        <button type="button" class="link" onClick={state.reload}>
          Try again
        </button>
      </div>
    );
  if (state.value === undefined)
    return (
      <p role="status" aria-live="polite" class="muted">
        Loading {label}…
      </p>
    );
  return <>{children(state.value)}</>;
}

interface InputProps {
  label: string;
  value: string;
  onValue: (v: string) => void;
  hint?: string;
  type?: 'text' | 'url' | 'password' | 'datetime-local' | 'search';
  required?: boolean;
  maxLength?: number;
  placeholder?: string;
  autoComplete?: string;
  spellcheck?: boolean;
}

export function Field({ label, value, onValue, hint, type = 'text', ...rest }: InputProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        // the typings tie each input type to its own ARIA roles (none is set here); tsc needs the narrowing
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
        type={type as 'text'}
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
        aria-describedby={hint ? `${id}-hint` : undefined}
        {...rest}
      />
      {hint && (
        <small id={`${id}-hint`} class="muted">
          {hint}
        </small>
      )}
    </div>
  );
}

export function TextArea({
  label,
  value,
  onValue,
  hint,
  rows = 4,
}: {
  label: string;
  value: string;
  onValue: (v: string) => void;
  hint?: string;
  rows?: number;
}) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea
        id={id}
        rows={rows}
        value={value}
        spellcheck={false}
        onInput={(e) => onValue(e.currentTarget.value)}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      {hint && (
        <small id={`${id}-hint`} class="muted">
          {hint}
        </small>
      )}
    </div>
  );
}

export function Select({
  label,
  value,
  onValue,
  options,
}: {
  label: string;
  value: string;
  onValue: (v: string) => void;
  options: { value: string; label: string }[];
}) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onValue(e.currentTarget.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

const STATUS_TONE: Record<string, string> = {
  Success: 'good',
  active: 'good',
  closed: 'good',
  Failure: 'bad',
  Discarded: 'bad',
  open: 'bad',
  inactive: 'bad',
  Retry: 'warn',
  'half-open': 'warn',
  paused: 'warn',
  pending: 'warn',
  Scheduled: 'info',
  Processing: 'info',
};

/** A status as text (never colour alone). */
export function Badge({ value, label }: { value: string | null | undefined; label?: string }) {
  const v = value ?? '—';
  return (
    <span class={`badge ${STATUS_TONE[v] ?? 'neutral'}`}>
      {label ? <span class="visually-hidden">{label}: </span> : null}
      {v}
    </span>
  );
}

/** A table that scrolls sideways inside its own box on a narrow screen, with a caption for screen readers. */
export function Table({ caption, children, empty }: { caption: string; children: ComponentChildren; empty?: boolean }) {
  return (
    <div class="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table>
        <caption class="visually-hidden">{caption}</caption>
        {children}
      </table>
      {empty && <p class="muted empty">Nothing here yet.</p>}
    </div>
  );
}

export function Pre({ text, label }: { text: string; label: string }) {
  return (
    <pre class="code" tabIndex={0} aria-label={label}>
      {text}
    </pre>
  );
}

/** Cursor paging as the API gives it. */
export function Pager({
  pagination,
  onPage,
}: {
  pagination: { has_next_page?: boolean; has_prev_page?: boolean; next_page_cursor?: string; prev_page_cursor?: string };
  onPage: (direction: 'next' | 'prev', cursor: string) => void;
}) {
  if (!pagination.has_next_page && !pagination.has_prev_page) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={!pagination.has_prev_page} onClick={() => onPage('prev', pagination.prev_page_cursor ?? '')}>
        ← Newer
      </button>
      <button type="button" disabled={!pagination.has_next_page} onClick={() => onPage('next', pagination.next_page_cursor ?? '')}>
        Older →
      </button>
    </nav>
  );
}

/** A secret shown once, with a copy button; it is gone when the user leaves the page. */
export function OnceSecret({ secret, what, onDone }: { secret: string; what: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="once" role="region" aria-label={`New ${what}`}>
      <p>
        <strong>Copy the {what} now.</strong> It is shown only this once.
      </p>
      <code class="secret" data-testid="once-secret">
        {secret}
      </code>
      <div class="row">
        <button
          type="button"
          onClick={() =>
            void navigator.clipboard?.writeText(secret).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </div>
  );
}

let firstTitle = true;

/** The page's heading: names the tab, and takes the focus after an in-page navigation so screen readers announce the new page. */
export function PageTitle({ children, app }: { children: string; app: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${children} · ${app}`;
    if (firstTitle) firstTitle = false;
    else ref.current?.focus();
  }, [children, app]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
