import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { classifyAddress, parseIpStrict } from '../../libs/ssrf';

export type CallerCheck = (req: IncomingMessage) => boolean;

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function isLoopbackCaller(remote: string | undefined): boolean {
  const ip = remote ? parseIpStrict(remote) : undefined;
  return !!ip && classifyAddress(ip) === 'loopback';
}

/**
 * With EGRESS_CREDENTIALS every caller presents them as Basic Proxy-Authorization
 * (compared in constant time over digests, so length leaks nothing either). Without
 * them only processes on this host may use the proxy.
 */
export function createCallerCheck(credentials: { user: string; password: string } | undefined): CallerCheck {
  if (!credentials) return (req) => isLoopbackCaller(req.socket.remoteAddress);
  const expected = digest(`${credentials.user}:${credentials.password}`);
  return (req) => {
    const header = req.headers['proxy-authorization'];
    const match = typeof header === 'string' ? /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
    if (!match) return false;
    const given = digest(Buffer.from(match[1], 'base64').toString('utf8'));
    return timingSafeEqual(given, expected);
  };
}
