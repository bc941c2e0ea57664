import type { DenyClass } from './policy';

/** The policy refused every way to reach the target; nothing was dialled. */
export class EgressDeniedError extends Error {
  readonly code = 'EGRESS_DENIED';

  constructor(
    readonly denyClass: DenyClass,
    readonly host: string,
    readonly address: string,
    readonly port: number,
  ) {
    super(`egress to ${host}:${port} denied: ${address} is ${denyClass}`);
    this.name = 'EgressDeniedError';
  }
}

/** The host could not be turned into addresses to judge (bad host, no answers, resolver timeout). */
export class EgressLookupError extends Error {
  constructor(
    readonly host: string,
    readonly code: 'EGRESS_BAD_HOST' | 'EGRESS_BAD_ANSWER' | 'EGRESS_DNS_TIMEOUT' | 'ENOTFOUND',
    message: string,
  ) {
    super(message);
    this.name = 'EgressLookupError';
  }
}
