import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { CARAVAN_CONFIG, CaravanConfig } from '../../libs/config';
import { AddressClass, AddressPolicy, DenyClass, dialableAddress, IpAddress, judgeAnswers, parseAllowList, parseIpStrict } from '../../libs/ssrf';
import { ConnectTarget, parseConnectTarget } from './connect-target';
import { DnsLookupError, EgressResolver } from './dns-resolver';
import { EGRESS_RESOLVER } from './egress.tokens';
import { CallerCheck, createCallerCheck } from './proxy-auth';
import { SelfAddresses } from './self-addresses';

export const DENY_HEADER = 'X-Caravan-Egress-Deny';

/** A refusal carries what the caller sees (status, headers) and what logs and metrics count. */
export interface Refusal {
  readonly kind: 'refuse';
  readonly status: number;
  readonly decision: 'deny' | 'error';
  /** a DenyClass, or what failed: auth, bad-target, dns, connect-timeout... */
  readonly cls: string;
  readonly reason: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly ip?: string;
}

export type Screened = Refusal | { readonly kind: 'target'; readonly target: Extract<ConnectTarget, { ok: true }> };
export type Judged = Refusal | { readonly kind: 'dial'; readonly ip: string; readonly port: number; readonly cls: AddressClass };

function parsePorts(items: readonly string[]): Set<number> {
  const ports = new Set([80, 443]);
  for (const item of items) {
    const port = Number(item);
    if (!/^\d{1,5}$/.test(item) || port < 1 || port > 65535) throw new Error(`EGRESS_ALLOWED_PORTS: "${item}" is not a port`);
    ports.add(port);
  }
  return ports;
}

/**
 * The decision pipeline of docs/security.md ("The SSRF policy"), step by step: caller, target syntax and
 * port first (no network work), then one resolution and a verdict on every answer.
 */
@Injectable()
export class EgressGate {
  private readonly checkCaller: CallerCheck;
  private readonly policy: AddressPolicy;

  constructor(
    @Inject(CARAVAN_CONFIG) config: CaravanConfig,
    @Inject(EGRESS_RESOLVER) private readonly resolver: EgressResolver,
    self: SelfAddresses,
  ) {
    this.checkCaller = createCallerCheck(config.egressCredentials);
    this.policy = { allow: parseAllowList(config.egressAllow), ports: parsePorts(config.egressAllowedPorts), isSelf: self.isSelf };
  }

  screen(req: IncomingMessage): Screened {
    if (!this.checkCaller(req)) {
      return {
        kind: 'refuse',
        status: 407,
        decision: 'deny',
        cls: 'auth',
        reason: 'proxy authentication required',
        headers: { 'Proxy-Authenticate': 'Basic realm="caravan-egress"' },
      };
    }
    const target = parseConnectTarget(req.url);
    if (!target.ok) return { kind: 'refuse', status: 400, decision: 'deny', cls: 'bad-target', reason: target.reason };
    // a port outside the policy is only worth resolving when an exact pair names it
    if (!this.policy.ports?.has(target.port) && !this.policy.allow.hasPairOnPort(target.port)) {
      return this.denied('port', `port ${target.port} is not allowed`);
    }
    return { kind: 'target', target };
  }

  async judge(target: Extract<ConnectTarget, { ok: true }>): Promise<Judged> {
    let answers: IpAddress[];
    if (target.host.kind === 'ip') {
      answers = [target.host.ip];
    } else {
      try {
        answers = this.parseAnswers(await this.resolver.resolve(target.host.name));
      } catch (e) {
        const code = e instanceof DnsLookupError ? e.code : (e as Error).message;
        return { kind: 'refuse', status: 502, decision: 'error', cls: 'dns', reason: `DNS lookup failed (${code})` };
      }
    }
    const verdict = judgeAnswers(answers, target.port, this.policy);
    const ip = dialableAddress(verdict.address);
    if (!verdict.allowed) return { ...this.denied(verdict.cls, `${ip} is ${verdict.cls}`), ip };
    return { kind: 'dial', ip, port: target.port, cls: verdict.cls };
  }

  private parseAnswers(texts: string[]): IpAddress[] {
    return texts.map((text) => {
      const ip = parseIpStrict(text);
      if (!ip) throw new Error(`resolver answered "${text}"`);
      return ip;
    });
  }

  private denied(cls: DenyClass, reason: string): Refusal {
    return { kind: 'refuse', status: 403, decision: 'deny', cls, reason, headers: { [DENY_HEADER]: cls } };
  }
}
