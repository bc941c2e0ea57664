import { AllowList } from './allow-list';
import { AddressClass, classifyAddress } from './classify';
import { formatIp, IpAddress, unmapIpv4Mapped } from './ip';

/** Why a target was refused: an address class, the proxy itself, or a port outside the policy. */
export type DenyClass = Exclude<AddressClass, 'global'> | 'self' | 'port';

export interface AddressPolicy {
  readonly allow: AllowList;
  /** ports that need no exact allow-list pair; undefined means every port */
  readonly ports?: ReadonlySet<number>;
  /** the proxy's own listening sockets: never dialled, whatever the allow list says */
  readonly isSelf?: (ip: IpAddress, port: number) => boolean;
  /** tests stand in for "public" with a loopback address this way */
  readonly classify?: (ip: IpAddress) => AddressClass;
}

export type AddressVerdict = { readonly allowed: true; readonly cls: AddressClass } | { readonly allowed: false; readonly cls: DenyClass };

export function judgeAddress(ip: IpAddress, port: number, policy: AddressPolicy): AddressVerdict {
  const cls = (policy.classify ?? classifyAddress)(ip);
  if (policy.isSelf?.(ip, port)) return { allowed: false, cls: 'self' };
  if (policy.allow.allowsPair(ip, port)) return { allowed: true, cls };
  // the address class is the more telling reason when both it and the port are wrong
  if (cls !== 'global' && !policy.allow.isAllowed(ip, port)) return { allowed: false, cls };
  if (policy.ports && !policy.ports.has(port)) return { allowed: false, cls: 'port' };
  return { allowed: true, cls };
}

export type AnswersVerdict =
  | { readonly allowed: true; readonly address: IpAddress; readonly cls: AddressClass }
  | { readonly allowed: false; readonly address: IpAddress; readonly cls: DenyClass };

/**
 * Judges every answer of one resolution. Any denied answer denies the lot: a mix of
 * allowed and denied addresses is what DNS rebinding looks like. When all pass, the
 * first answer is the one to dial. `answers` must not be empty.
 */
export function judgeAnswers(answers: readonly IpAddress[], port: number, policy: AddressPolicy): AnswersVerdict {
  if (answers.length === 0) throw new Error('judgeAnswers needs at least one address');
  let first: AnswersVerdict | undefined;
  for (const address of answers) {
    const verdict = judgeAddress(address, port, policy);
    if (!verdict.allowed) return { allowed: false, address, cls: verdict.cls };
    first ??= { allowed: true, address, cls: verdict.cls };
  }
  return first as AnswersVerdict;
}

/** The literal to hand to connect(): IPv4-mapped answers are dialled as the IPv4 they are. */
export function dialableAddress(ip: IpAddress): string {
  return formatIp(unmapIpv4Mapped(ip));
}
