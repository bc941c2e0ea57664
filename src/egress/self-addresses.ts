import { Injectable } from '@nestjs/common';
import { networkInterfaces } from 'node:os';
import { classifyAddress, IpAddress, parseIpStrict, sameIp } from '../../libs/ssrf';

/**
 * The sockets this process listens on. A tunnel to one of them would loop through
 * the proxy (or reach its metrics), so they are denied whatever the allow list says.
 */
@Injectable()
export class SelfAddresses {
  private readonly listeners: { ip: IpAddress; port: number }[] = [];
  // an unspecified listen address is reachable through every local address
  private readonly local: IpAddress[] = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .flatMap((nic) => {
      const ip = parseIpStrict(nic.address.split('%')[0]);
      return ip ? [ip] : [];
    });

  add(address: string, port: number): void {
    const ip = parseIpStrict(address);
    if (ip) this.listeners.push({ ip, port });
  }

  readonly isSelf = (ip: IpAddress, port: number): boolean =>
    this.listeners.some((l) => {
      if (l.port !== port) return false;
      if (sameIp(l.ip, ip)) return true;
      if (classifyAddress(l.ip) !== 'unspecified') return false;
      const cls = classifyAddress(ip);
      return cls === 'loopback' || cls === 'unspecified' || this.local.some((local) => sameIp(local, ip));
    });
}
