import { parseHost, ParsedHost } from '../../libs/ssrf';

export type ConnectTarget =
  { readonly ok: true; readonly host: Exclude<ParsedHost, { kind: 'invalid' }>; readonly port: number } | { readonly ok: false; readonly reason: string };

const PORT = /^[1-9]\d{0,4}$/;

/**
 * The request-target of CONNECT in authority-form only (`host:port`, `[v6]:port`).
 * Anything else (absolute-form, userinfo, paths, zone ids, port 0) is refused rather
 * than guessed at: a lenient parser is where a proxy and its policy disagree.
 */
export function parseConnectTarget(target: string | undefined): ConnectTarget {
  const bad = (reason: string): ConnectTarget => ({ ok: false, reason });
  if (!target) return bad('missing target');
  if (target.length > 300) return bad('target too long');
  if (/[/@?#\\\s]/.test(target)) return bad('target must be host:port');
  const colon = target.lastIndexOf(':');
  if (colon <= 0) return bad('target must be host:port');
  const hostText = target.slice(0, colon);
  const portText = target.slice(colon + 1);
  if (!PORT.test(portText) || Number(portText) > 65535) return bad('port must be 1-65535');
  if (!hostText.startsWith('[') && hostText.includes(':')) return bad('IPv6 targets must be in brackets');
  const host = parseHost(hostText);
  if (host.kind === 'invalid') return bad(host.reason);
  return { ok: true, host, port: Number(portText) };
}
