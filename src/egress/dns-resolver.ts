import { Resolver } from 'node:dns/promises';

/** Resolves a name to every A and AAAA answer, in that order; throws DnsLookupError when there are none. */
export interface EgressResolver {
  resolve(name: string): Promise<string[]>;
}

export class DnsLookupError extends Error {
  constructor(
    readonly host: string,
    readonly code: string,
  ) {
    super(`resolving ${host} failed: ${code}`);
    this.name = 'DnsLookupError';
  }
}

// "this name has no record of that type" rather than "the resolver failed"
const EMPTY = new Set(['ENODATA', 'ENOTFOUND']);

function errorCode(reason: unknown): string {
  const code = (reason as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'EFAIL';
}

/**
 * A c-ares resolver, so tests (and operators) can point the proxy at their own DNS
 * servers with EGRESS_DNS_SERVERS; it asks the servers directly and never consults
 * /etc/hosts. One lookup asks for A and AAAA once each.
 */
export function createDnsResolver(servers: readonly string[], timeoutMs: number): EgressResolver {
  // two tries per server, each well inside the dial budget
  const resolver = new Resolver({ timeout: Math.max(100, Math.min(2000, Math.floor(timeoutMs / 2))), tries: 2 });
  if (servers.length > 0) {
    try {
      resolver.setServers([...servers]);
    } catch (e) {
      throw new Error(`EGRESS_DNS_SERVERS must be IP[:port] entries (${(e as Error).message})`);
    }
  }
  return {
    async resolve(name: string): Promise<string[]> {
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
      const answers = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
      if (answers.length > 0) return answers;
      const codes = [v4, v6].flatMap((r) => (r.status === 'rejected' ? [errorCode(r.reason)] : []));
      throw new DnsLookupError(name, codes.find((c) => !EMPTY.has(c)) ?? codes[0] ?? 'ENODATA');
    },
  };
}
