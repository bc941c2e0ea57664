import { Logger } from '@nestjs/common';
import type { Dispatcher } from 'undici';
import { EgressDeniedError } from '../../../libs/ssrf';
import type { ClientCertificate } from './dispatcher.provider';
import { AddressCapture } from './remote-address';

const logger = new Logger('WebhookSender');

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** total deadline: connect, send, headers and body */
  timeoutMs: number;
  /** presented on TLS connections; `owner` (the endpoint) and `version` key its own pool */
  clientCertificate?: ClientCertificate & { owner: string; version: string };
}

export interface SendOutcome {
  ok: boolean;
  status?: number;
  headers: Record<string, string>;
  /** at most STORED_BODY_BYTES of the response */
  body: string;
  durationMs: number;
  /** '' on success; otherwise a stable class such as `timeout`, `http_5xx`, `egress_denied:private` */
  errorClass: string;
  error: string;
  retryAfter?: string;
  requestedAt: Date;
  respondedAt?: Date;
  /** the address the request went to ('' when no connection carried it, or the proxy did not say) */
  ipAddress: string;
}

/** Sent with every webhook and meta event. */
export const USER_AGENT = 'Caravan-Webhooks/0.1';

/** What is kept of a response body per attempt. */
export const STORED_BODY_BYTES = 16 * 1024;
/** What is read at most before the connection is dropped. */
export const READ_CAP_BYTES = 1024 * 1024;
const STORED_HEADER_BYTES = 8 * 1024;

/**
 * One HTTP POST of a webhook. Never follows redirects (a 3xx is a failed attempt), bounds
 * the time and the bytes read, and turns every failure into a stable error class.
 */
export async function sendWebhook(dispatcher: Dispatcher, req: SendRequest): Promise<SendOutcome> {
  const requestedAt = new Date();
  const started = performance.now();
  const signal = AbortSignal.timeout(req.timeoutMs);
  const capture = new AddressCapture();
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return fail(requestedAt, started, 'invalid_url', `invalid URL ${req.url}`, capture);
  }
  try {
    const res = await dispatcher.request({
      opaque: capture,
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: { ...req.headers, host: url.host },
      body: req.body,
      signal,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const chunks: Buffer[] = [];
    let stored = 0;
    let read = 0;
    let truncated = false;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      read += chunk.length;
      if (stored < STORED_BODY_BYTES) {
        const part = chunk.subarray(0, STORED_BODY_BYTES - stored);
        chunks.push(part);
        stored += part.length;
      }
      if (read > READ_CAP_BYTES) {
        truncated = true;
        res.body.destroy();
        break;
      }
    }
    const status = res.statusCode;
    const headers = flattenHeaders(res.headers);
    const outcome: SendOutcome = {
      ok: status >= 200 && status < 300,
      status,
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
      durationMs: Math.round(performance.now() - started),
      errorClass: '',
      error: '',
      retryAfter: headers['retry-after'],
      requestedAt,
      respondedAt: new Date(),
      ipAddress: capture.address,
    };
    if (!outcome.ok) {
      outcome.errorClass = `http_${Math.floor(status / 100)}xx`;
      outcome.error = status >= 300 && status < 400 ? `redirect to ${headers.location ?? '?'} not followed` : `endpoint answered ${status}`;
    }
    if (truncated && outcome.ok) outcome.error = `response larger than ${READ_CAP_BYTES} bytes; rest not read`;
    return outcome;
  } catch (e) {
    const { errorClass, message } = classifyError(e, signal);
    if (e instanceof EgressDeniedError) {
      // the tenant sees the class; where its name resolved is for the operator only
      logger.warn({ host: e.host, address: e.address, port: e.port, class: e.denyClass }, 'egress denied');
    }
    return fail(requestedAt, started, errorClass, message, capture);
  }
}

function fail(requestedAt: Date, started: number, errorClass: string, error: string, capture: AddressCapture): SendOutcome {
  return { ok: false, headers: {}, body: '', durationMs: Math.round(performance.now() - started), errorClass, error, requestedAt, ipAddress: capture.address };
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(', ') : v;
    size += k.length + value.length;
    if (size > STORED_HEADER_BYTES) break;
    out[k.toLowerCase()] = value;
  }
  return out;
}

/** Failures while opening a tunnel through the egress proxy (see proxy-connect.ts). */
const TUNNEL_CLASSES: Record<string, string> = {
  PROXY_UNAVAILABLE: 'proxy_unavailable',
  PROXY_AUTH: 'proxy_unavailable',
  PROXY_PROTOCOL: 'proxy_unavailable',
  PROXY_BUSY: 'proxy_busy',
  UPSTREAM_DNS: 'dns',
  UPSTREAM_TIMEOUT: 'connect_timeout',
  EGRESS_DNS_TIMEOUT: 'dns',
  EGRESS_BAD_HOST: 'invalid_url',
};

interface ErrLike {
  code?: string;
  name?: string;
  message?: string;
  cause?: unknown;
  denyClass?: string;
  host?: unknown;
  statusCode?: number;
}

/** Stable error classes; `egress_denied:*` and `invalid_url` are not worth retrying. */
export function classifyError(e: unknown, signal?: AbortSignal): { errorClass: string; message: string } {
  const err = (e ?? {}) as ErrLike;
  const cause = (err.cause ?? {}) as ErrLike;
  const code = err.code ?? cause.code ?? '';
  const message = err.message ?? String(e);
  const denyClass = err.denyClass ?? cause.denyClass;
  if (code === 'EGRESS_DENIED' || denyClass) {
    // never the resolved address: it would tell a tenant where internal names point
    const host = typeof err.host === 'string' ? err.host : undefined;
    return {
      errorClass: `egress_denied:${denyClass ?? 'policy'}`,
      message: `egress denied: ${host ? `${host} resolves to ` : ''}a ${denyClass ?? 'forbidden'} address`,
    };
  }
  const tunnel = TUNNEL_CLASSES[code];
  if (tunnel) return { errorClass: tunnel, message };
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return { errorClass: 'connect_timeout', message };
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || signal?.aborted || err.name === 'TimeoutError' || err.name === 'AbortError') {
    return { errorClass: 'timeout', message: signal?.aborted ? 'deadline exceeded' : message };
  }
  if (code === 'ECONNREFUSED') return { errorClass: 'connection_refused', message };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA') return { errorClass: 'dns', message };
  if (code.startsWith('ERR_TLS') || code.startsWith('CERT_') || /certificate|SSL|TLS/i.test(message)) return { errorClass: 'tls', message };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'ENETUNREACH' || code === 'EHOSTUNREACH')
    return { errorClass: 'network', message };
  return { errorClass: 'network', message };
}
