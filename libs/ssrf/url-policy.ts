import { AllowList, parseAllowList } from './allow-list';
import { classifyAddress } from './classify';
import { isLocalhostName, parseHost } from './host';
import { parseIpStrict } from './ip';

export const MAX_ENDPOINT_URL_LENGTH = 2048;

export type UrlVerdict = { ok: true } | { ok: false; code: string; reason: string };

const LOOPBACKS = [parseIpStrict('127.0.0.1'), parseIpStrict('::1')].filter((ip) => ip !== undefined);

// the list comes from configuration and does not change; parse it once, not per URL
let cached: { key: string; list: AllowList } | undefined;
function allowListFor(items: readonly string[]): AllowList {
  const key = items.join('\n');
  if (cached?.key !== key) cached = { key, list: parseAllowList(items) };
  return cached.list;
}

/** Names cloud providers give their instance metadata services (their addresses are denied at dial time too). */
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
  'metadata.oraclecloud.com',
  'metadata.tencentyun.com',
  '100-100-100-200.alibaba.internal',
]);

function refuse(code: string, reason: string): UrlVerdict {
  return { ok: false, code, reason };
}

/**
 * Write-time check of an endpoint URL, for fast feedback (422). It cannot see what a
 * name will resolve to later, so the dial-time check stays the real control; here we
 * refuse what is wrong on its face: other schemes, credentials in the URL, huge URLs,
 * and hosts that are non-global addresses in any spelling or loopback names.
 */
export function validateEndpointUrl(url: string, opts: { allow: string[]; requireHttps: boolean }): UrlVerdict {
  if (url.length > MAX_ENDPOINT_URL_LENGTH) return refuse('url_too_long', `the URL is longer than ${MAX_ENDPOINT_URL_LENGTH} characters`);
  // the URL parser would silently strip or encode these, hiding what was typed
  if (/[\s\p{Cc}]/u.test(url)) return refuse('invalid_url', 'the URL contains spaces or control characters');
  // WHATWG parsers read `\` as `/`, others as part of the user-info: a URL two parsers see differently is refused
  if (url.includes('\\')) return refuse('invalid_url', 'the URL contains a backslash');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse('invalid_url', 'not a valid absolute URL');
  }
  const schemes = opts.requireHttps ? ['https:'] : ['http:', 'https:'];
  if (!schemes.includes(parsed.protocol))
    return refuse(
      'scheme_not_allowed',
      opts.requireHttps
        ? 'the URL must use https: the project requires secure endpoints (config.ssl.enforce_secure_endpoints)'
        : 'the URL must use http or https',
    );
  if (parsed.username !== '' || parsed.password !== '')
    return refuse('userinfo_not_allowed', 'credentials in the URL are not allowed; use endpoint authentication');
  const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
  if (port < 1 || port > 65535) return refuse('invalid_url', 'the port must be from 1 to 65535');
  const host = parseHost(parsed.hostname);
  if (host.kind === 'invalid') return refuse('invalid_url', host.reason);
  const allow = allowListFor(opts.allow);
  if (host.kind === 'ip') {
    const cls = classifyAddress(host.ip);
    if (cls !== 'global' && !allow.isAllowed(host.ip, port))
      return refuse('address_not_allowed', `the host is a ${cls} address, which endpoints may not use (an operator can allow it with EGRESS_ALLOW)`);
    return { ok: true };
  }
  if (METADATA_NAMES.has(host.name.toLowerCase().replace(/\.$/, '')))
    return refuse('address_not_allowed', 'the host is a cloud metadata name, which endpoints may not use');
  if (isLocalhostName(host.name) && !LOOPBACKS.some((ip) => allow.isAllowed(ip, port))) {
    return refuse('address_not_allowed', 'the host is a loopback name, which endpoints may not use (an operator can allow loopback with EGRESS_ALLOW)');
  }
  return { ok: true };
}
