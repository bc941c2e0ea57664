import { isUtf8 } from 'node:buffer';

/**
 * Checks ingest runs on a body before anything is stored. Each one rejects input that would
 * otherwise be accepted with a 2xx and then fail later, in PostgreSQL (jsonb refuses U+0000 and
 * unpaired surrogates), in the worker (deep nesting, unsendable headers), or at a receiver.
 */

export const MAX_JSON_DEPTH = 64;

export type JsonProblemCode = 'too_deep' | 'too_many_nodes' | 'nul_character' | 'lone_surrogate' | 'not_json';

export type JsonInspection = { ok: true } | { ok: false; code: JsonProblemCode; message: string; path: string };

export interface InspectJsonOptions {
  /** Containers nested deeper than this are refused; `[[1]]` has depth 2, a bare scalar depth 0. */
  maxDepth: number;
  /** Optional bound on values visited, for callers that did not already bound the body size. */
  maxNodes?: number;
}

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | undefined;
  key: string | number | undefined;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Walks a parsed JSON value with an explicit stack, so a hostile nesting depth cannot overflow
 * the call stack, and reports the first problem with a JSONPath-like location.
 */
export function inspectJson(value: unknown, opts: InspectJsonOptions = { maxDepth: MAX_JSON_DEPTH }): JsonInspection {
  const maxNodes = opts.maxNodes ?? Number.POSITIVE_INFINITY;
  const stack: Frame[] = [{ value, depth: 0, parent: undefined, key: undefined }];
  let visited = 0;

  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    if (++visited > maxNodes) return fail('too_many_nodes', `JSON has more than ${maxNodes} values`, frame);
    const v = frame.value;

    if (v === null || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return fail('not_json', 'numbers must be finite', frame);
      continue;
    }
    if (typeof v === 'string') {
      const problem = stringProblem(v);
      if (problem) return fail(problem, `string ${describe(problem)}`, frame);
      continue;
    }
    if (typeof v !== 'object') return fail('not_json', `a ${typeof v} is not a JSON value`, frame);

    const depth = frame.depth + 1;
    if (depth > opts.maxDepth) return fail('too_deep', `JSON is nested deeper than ${opts.maxDepth} levels`, frame);

    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], depth, parent: frame, key: i });
      continue;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return fail('not_json', 'only plain objects and arrays are JSON', frame);
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      const keyFrame: Frame = { value: (v as Record<string, unknown>)[key], depth, parent: frame, key };
      const problem = stringProblem(key);
      if (problem) return fail(problem, `object key ${describe(problem)}`, keyFrame);
      stack.push(keyFrame);
    }
  }
  return { ok: true };
}

/** Strict UTF-8: no overlong forms, no encoded surrogates, nothing past U+10FFFF, no truncated sequence. */
export function isValidUtf8(buf: Uint8Array): boolean {
  return isUtf8(buf);
}

function stringProblem(s: string): 'nul_character' | 'lone_surrogate' | undefined {
  if (s.includes('\u0000')) return 'nul_character';
  if (LONE_SURROGATE.test(s)) return 'lone_surrogate';
  return undefined;
}

function describe(code: 'nul_character' | 'lone_surrogate'): string {
  return code === 'nul_character' ? 'contains U+0000, which PostgreSQL cannot store' : 'contains an unpaired UTF-16 surrogate, which is not valid Unicode';
}

function fail(code: JsonProblemCode, message: string, frame: Frame): JsonInspection {
  const path = pathOf(frame);
  return { ok: false, code, message: `${message} (at ${path})`, path };
}

function pathOf(frame: Frame): string {
  const keys: (string | number)[] = [];
  for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) keys.push(f.key);
  let out = '$';
  for (const key of keys.reverse()) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (key.length <= 64 && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key)}]`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Custom headers a producer attaches to an event, sent with every delivery of it.

export interface CustomHeaderOptions {
  /** The project's signature header (e.g. `X-Convoy-Signature` or a renamed one); refused too. */
  signatureHeader?: string;
  maxHeaders?: number;
  maxNameLength?: number;
  maxValueLength?: number;
  /** Sum of name and value lengths over all headers. */
  maxTotalLength?: number;
}

export const CUSTOM_HEADER_LIMITS = { maxHeaders: 50, maxNameLength: 256, maxValueLength: 4096, maxTotalLength: 16384 } as const;

/**
 * Names a producer may not set: hop-by-hop and framing headers (the HTTP client owns them, and
 * a forged one would desynchronise the connection), and the signature and identity headers
 * receivers trust to authenticate and dedupe a delivery.
 */
export const RESERVED_HEADER_NAMES: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
  'http2-settings',
  'x-convoy-signature',
  'x-convoy-event-id',
  'x-convoy-eventdelivery-id',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'x-convoy-event-type',
  'x-caravan-delivery-id',
]);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Problems with a custom header map (`{name: value}`), each naming the header; empty means valid.
 * The second argument is the project's signature header name, or options including it.
 */
export function validateCustomHeaders(headers: unknown, signatureHeaderOrOptions?: string | CustomHeaderOptions): string[] {
  const opts: CustomHeaderOptions =
    typeof signatureHeaderOrOptions === 'string' ? { signatureHeader: signatureHeaderOrOptions } : (signatureHeaderOrOptions ?? {});
  const maxHeaders = opts.maxHeaders ?? CUSTOM_HEADER_LIMITS.maxHeaders;
  const maxName = opts.maxNameLength ?? CUSTOM_HEADER_LIMITS.maxNameLength;
  const maxValue = opts.maxValueLength ?? CUSTOM_HEADER_LIMITS.maxValueLength;
  const maxTotal = opts.maxTotalLength ?? CUSTOM_HEADER_LIMITS.maxTotalLength;
  const projectHeader = opts.signatureHeader?.trim().toLowerCase();

  if (headers === undefined || headers === null) return [];
  if (typeof headers !== 'object' || Array.isArray(headers)) return ['custom headers must be an object of header names to string values'];

  const entries = Object.entries(headers as Record<string, unknown>);
  const problems: string[] = [];
  if (entries.length > maxHeaders) problems.push(`at most ${maxHeaders} custom headers are allowed, got ${entries.length}`);

  const seen = new Set<string>();
  let total = 0;
  for (const [name, value] of entries.slice(0, maxHeaders)) {
    const label = `header ${JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name)}`;
    const lower = name.toLowerCase();
    total += name.length;

    if (name.length === 0) problems.push('header names cannot be empty');
    else if (name.length > maxName) problems.push(`${label}: name is longer than ${maxName} characters`);
    else if (!TOKEN.test(name)) problems.push(`${label}: name must be an HTTP token (letters, digits and !#$%&'*+-.^_\`|~)`);
    else if (RESERVED_HEADER_NAMES.has(lower) || lower.startsWith('proxy-') || lower === projectHeader) {
      problems.push(`${label}: this header is set by the gateway and cannot be overridden`);
    } else if (seen.has(lower)) problems.push(`${label}: given more than once (header names are case-insensitive)`);
    seen.add(lower);

    if (typeof value !== 'string') {
      problems.push(`${label}: value must be a string`);
      continue;
    }
    total += value.length;
    if (value.length > maxValue) problems.push(`${label}: value is longer than ${maxValue} characters`);
    const valueProblem = headerValueProblem(value);
    if (valueProblem) problems.push(`${label}: value ${valueProblem}`);
  }
  if (total > maxTotal) problems.push(`custom headers total more than ${maxTotal} characters`);
  return problems;
}

/** Why `value` cannot be sent as an HTTP header value, or undefined when it can. */
export function headerValueProblem(value: string): string | undefined {
  if (/[\r\n]/.test(value)) return 'contains CR or LF';
  if (value.includes('\u0000')) return 'contains NUL';
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0001-\u0008\u000B-\u001F\u007F]/.test(value)) return 'contains a control character';
  if (/[\u0100-\uFFFF]/.test(value)) return 'contains characters outside ISO-8859-1, which HTTP clients refuse to send';
  return undefined;
}
