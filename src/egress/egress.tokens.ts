/** The resolver the proxy asks; tests may provide their own. */
export const EGRESS_RESOLVER = Symbol('EGRESS_RESOLVER');

/** Settings that are not environment variables (tests shorten them). */
export const EGRESS_OPTIONS = Symbol('EGRESS_OPTIONS');

export interface EgressOptions {
  /** how long shutdown waits for open tunnels before cutting them */
  readonly shutdownGraceMs: number;
}

export const DEFAULT_EGRESS_OPTIONS: EgressOptions = { shutdownGraceMs: 5000 };
