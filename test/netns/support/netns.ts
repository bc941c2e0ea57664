import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

function interfaces(): string[] {
  return readFileSync('/proc/self/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0].trim())
    .filter((name) => name.length > 0);
}

/** Whether this process sits in a network namespace whose only interface is lo. */
export function isIsolatedNetns(): boolean {
  const names = interfaces();
  return names.length === 1 && names[0] === 'lo';
}

/**
 * Tests under test/netns name addresses off this machine on purpose. They must run in
 * a network namespace with nothing but loopback (`npm run test:netns`), where a wrong
 * dial fails at once or lands on a local canary. Outside one they never dial.
 */
export function assertIsolatedNetns(): void {
  if (!isIsolatedNetns()) {
    throw new Error(`refusing to run: this network namespace has ${interfaces().join(', ')}; run these tests with "npm run test:netns"`);
  }
}

/**
 * `describe` inside the namespace. Outside it the suite is skipped (a plain `npm test`
 * runs every project), unless CARAVAN_NETNS says we meant to be inside: then it fails.
 */
export function describeInNetns(name: string, fn: () => void): void {
  if (isIsolatedNetns()) return describe(name, fn);
  if (process.env.CARAVAN_NETNS) assertIsolatedNetns();
  describe.skip(`${name} (needs "npm run test:netns")`, fn);
}

function ip(args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? '');
    if (!/File exists|already assigned/.test(stderr)) throw new Error(`ip ${args.join(' ')} failed: ${stderr}`);
  }
}

/** Puts addresses on lo so that canaries can listen where a wrong dial would go. */
export function addLoopbackAddresses(addresses: readonly string[]): void {
  assertIsolatedNetns();
  for (const address of addresses) {
    const v6 = address.includes(':');
    ip([...(v6 ? ['-6'] : []), 'addr', 'add', `${address}/${v6 ? 128 : 32}`, 'dev', 'lo', ...(v6 ? ['nodad'] : [])]);
  }
}

/**
 * A route through lo for addresses that are not local: SYNs go out and are dropped,
 * nothing answers, so a dial hangs until its timeout (what a firewalled host does).
 */
export function addSilentRoute(cidr: string): void {
  assertIsolatedNetns();
  ip(['route', 'add', cidr, 'dev', 'lo']);
}
