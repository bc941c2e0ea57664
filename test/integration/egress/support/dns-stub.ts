import { createSocket, RemoteInfo, Socket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';
import { parseIpv6 } from '../../../../libs/ssrf';

/**
 * A tiny authoritative DNS server on loopback for the proxy to ask (EGRESS_DNS_SERVERS).
 * Each name maps to a list of answer sets: the n-th query of a type gets the n-th set
 * (the last one repeats), which is how a rebinding attacker answers. Names not in the
 * table are NXDOMAIN; 'servfail' and 'drop' fake broken servers.
 */
export type StubAnswer = readonly string[][] | 'servfail' | 'drop';

export interface DnsQuery {
  readonly name: string;
  readonly type: 'A' | 'AAAA' | number;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;

export class DnsStub {
  readonly queries: DnsQuery[] = [];
  private readonly socket: Socket = createSocket('udp4');
  private readonly served = new Map<string, number>();
  port = 0;

  constructor(private readonly table: Record<string, StubAnswer>) {}

  async start(): Promise<this> {
    this.socket.on('message', (msg: Buffer, from: RemoteInfo) => this.answer(msg, from));
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    this.port = this.socket.address().port;
    return this;
  }

  /** The EGRESS_DNS_SERVERS value that points at this stub. */
  get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  set(name: string, answer: StubAnswer): void {
    this.table[name] = answer;
    this.served.delete(`${name}/A`);
    this.served.delete(`${name}/AAAA`);
  }

  count(name: string, type?: 'A' | 'AAAA'): number {
    return this.queries.filter((q) => q.name === name && (!type || q.type === type)).length;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(msg: Buffer, from: RemoteInfo): void {
    const question = readQuestion(msg);
    if (!question) return;
    const { name, qtype, end } = question;
    const type = qtype === TYPE_A ? 'A' : qtype === TYPE_AAAA ? 'AAAA' : qtype;
    this.queries.push({ name, type });
    const entry = this.table[name];
    if (entry === 'drop') return;
    let rcode = 0;
    let records: Buffer[] = [];
    if (entry === undefined) rcode = 3;
    else if (entry === 'servfail') rcode = 2;
    else if (typeof type === 'string') {
      const key = `${name}/${type}`;
      const n = this.served.get(key) ?? 0;
      this.served.set(key, n + 1);
      const set = entry[Math.min(n, entry.length - 1)] ?? [];
      records = set.filter((ip) => (type === 'A' ? isIPv4(ip) : isIPv6(ip))).map((ip) => record(qtype, ip));
    }
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    header.writeUInt16BE(0x8180 | rcode, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(records.length, 6);
    this.socket.send(Buffer.concat([header, msg.subarray(12, end), ...records]), from.port, from.address);
  }
}

function readQuestion(msg: Buffer): { name: string; qtype: number; end: number } | undefined {
  if (msg.length < 17) return undefined;
  const labels: string[] = [];
  let at = 12;
  for (let guard = 0; guard < 128; guard++) {
    const len = msg[at];
    if (len === undefined || len > 63) return undefined;
    at++;
    if (len === 0) break;
    labels.push(msg.toString('ascii', at, at + len));
    at += len;
  }
  if (at + 4 > msg.length) return undefined;
  return { name: labels.join('.').toLowerCase(), qtype: msg.readUInt16BE(at), end: at + 4 };
}

function record(qtype: number, ip: string): Buffer {
  const rdata = qtype === TYPE_A ? Buffer.from(ip.split('.').map(Number)) : ipv6Bytes(ip);
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0);
  head.writeUInt16BE(qtype, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt32BE(0, 6);
  head.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([head, rdata]);
}

function ipv6Bytes(ip: string): Buffer {
  const parsed = parseIpv6(ip);
  if (!parsed) throw new Error(`stub answer ${ip} is not IPv6`);
  const buf = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) buf[i] = Number((parsed.value >> BigInt(8 * (15 - i))) & 0xffn);
  return buf;
}
