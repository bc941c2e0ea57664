import { isIP, connect as netConnect, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { buildConnector } from 'undici';
import { EGRESS_IP_HEADER, markTunnel } from './remote-address';

export interface ProxyConnectOptions {
  /** http://user:password@host:port of the egress proxy */
  proxyUrl: string;
  connectTimeoutMs: number;
  /** a client certificate to present to https targets (mTLS), end to end inside the tunnel */
  clientCertificate?: { cert: string; key: string };
}

/** An error from the tunnel set-up, with the code the sender classifies. */
export class TunnelError extends Error {
  constructor(
    readonly code:
      'PROXY_UNAVAILABLE' | 'EGRESS_DENIED' | 'PROXY_AUTH' | 'PROXY_BUSY' | 'UPSTREAM_DNS' | 'UPSTREAM_TIMEOUT' | 'UPSTREAM_REFUSED' | 'PROXY_PROTOCOL',
    message: string,
    readonly denyClass?: string,
  ) {
    super(message);
    this.name = 'TunnelError';
  }
}

const MAX_RESPONSE_HEAD = 16 * 1024;

function authorityOf(hostname: string, port: number): string {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return bare.includes(':') ? `[${bare}]:${port}` : `${bare}:${port}`;
}

function failureFor(status: number, headers: Map<string, string>): TunnelError {
  const deny = headers.get('x-caravan-egress-deny');
  if (status === 403) return new TunnelError('EGRESS_DENIED', `egress proxy denied the target${deny ? ` (${deny})` : ''}`, deny ?? 'policy');
  if (status === 407) return new TunnelError('PROXY_AUTH', 'egress proxy refused our credentials (407)');
  if (status === 502) return new TunnelError('UPSTREAM_DNS', 'egress proxy could not resolve the target (502)');
  if (status === 504) return new TunnelError('UPSTREAM_TIMEOUT', 'egress proxy timed out connecting to the target (504)');
  if (status === 429 || status === 503) return new TunnelError('PROXY_BUSY', `egress proxy is at capacity (${status})`);
  if (status === 400) return new TunnelError('EGRESS_DENIED', 'egress proxy rejected the target as malformed (400)', 'invalid-target');
  return new TunnelError('PROXY_PROTOCOL', `egress proxy answered ${status} to CONNECT`);
}

/**
 * An undici connector that opens every connection as a CONNECT tunnel through the egress
 * proxy, for http and https targets alike (TLS runs end to end inside the tunnel). Tunnels
 * are pooled and reused by undici like any keep-alive socket. There is no fallback: when
 * the proxy cannot be reached the connection fails with PROXY_UNAVAILABLE.
 */
export function createProxyConnect(opts: ProxyConnectOptions): buildConnector.connector {
  const proxy = new URL(opts.proxyUrl);
  const proxyHost = proxy.hostname.replace(/^\[|\]$/g, '');
  const proxyPort = Number(proxy.port || 80);
  const auth = proxy.username
    ? `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`
    : undefined;

  return (options, callback) => {
    const https = options.protocol === 'https:';
    const port = Number(options.port) || (https ? 443 : 80);
    const authority = authorityOf(options.hostname, port);
    let settled = false;
    const socket: Socket = netConnect({ host: proxyHost, port: proxyPort });
    const finish = (err: Error | null, sock?: Socket): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        socket.destroy();
        callback(err, null);
      } else callback(null, sock!);
    };
    const timer = setTimeout(
      () => finish(new TunnelError('PROXY_UNAVAILABLE', `egress proxy did not open a tunnel within ${opts.connectTimeoutMs} ms`)),
      opts.connectTimeoutMs,
    );
    socket.setNoDelay(true);
    socket.once('error', (e: Error) => finish(new TunnelError('PROXY_UNAVAILABLE', `egress proxy unreachable: ${e.message}`)));
    socket.once('connect', () => {
      socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`);
    });
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_RESPONSE_HEAD) finish(new TunnelError('PROXY_PROTOCOL', 'egress proxy sent an oversized response head'));
        return;
      }
      socket.off('data', onData);
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
      const headers = new Map<string, string>();
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
      }
      const status = m ? Number(m[1]) : 0;
      if (status !== 200) {
        finish(failureFor(status, headers));
        return;
      }
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      socket.removeAllListeners('error');
      // the proxy names the address it dialled, so attempts record the endpoint's address, not the proxy's
      const named = headers.get(EGRESS_IP_HEADER) ?? '';
      const dialled = isIP(named) ? named : '';
      markTunnel(socket, dialled);
      if (!https) {
        finish(null, socket);
        return;
      }
      const tls = tlsConnect({
        socket,
        servername: options.servername || options.hostname,
        ALPNProtocols: ['http/1.1'],
        ...(opts.clientCertificate ? { cert: opts.clientCertificate.cert, key: opts.clientCertificate.key } : {}),
      });
      markTunnel(tls, dialled);
      tls.once('secureConnect', () => finish(null, tls));
      tls.once('error', (e: Error) => finish(e));
    };
    socket.on('data', onData);
  };
}
