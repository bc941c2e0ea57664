import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

// long enough for the answer to reach a well-behaved client, short enough to free the slot
const LINGER_MS = 1000;

/**
 * After a CONNECT the socket is ours, not an HTTP response object's, so answers are
 * written by hand: a status line, a few headers, a short text body, then close.
 * Whatever the client already sent (often a TLS ClientHello) is read and dropped:
 * closing with unread bytes would reset the connection and lose the answer.
 */
export function writeRawResponse(socket: Socket, status: number, headers: Readonly<Record<string, string>> = {}, body = ''): void {
  if (socket.destroyed) return;
  const text = body === '' ? '' : `${body}\n`;
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  lines.push('Content-Type: text/plain; charset=utf-8', `Content-Length: ${Buffer.byteLength(text)}`, 'Connection: close');
  socket.resume();
  socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
  socket.setTimeout(LINGER_MS, () => socket.destroy());
}

/**
 * The answer that opens a tunnel. It names the address dialled (`X-Caravan-Egress-Ip`), so
 * the worker can record where a delivery really went; the caller is the authenticated
 * worker, and the address is one the policy allowed.
 */
export function connectionEstablished(ip: string): string {
  return `HTTP/1.1 200 Connection Established\r\nX-Caravan-Egress-Ip: ${ip}\r\n\r\n`;
}
