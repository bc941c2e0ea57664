import type { IncomingMessage } from 'node:http';
import { createCallerCheck } from './proxy-auth';

function req(remoteAddress: string, authorization?: string): IncomingMessage {
  return { socket: { remoteAddress }, headers: authorization === undefined ? {} : { 'proxy-authorization': authorization } } as unknown as IncomingMessage;
}

const basic = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`;

describe('createCallerCheck', () => {
  describe('without credentials: loopback callers only', () => {
    const check = createCallerCheck(undefined);
    it.each([['127.0.0.1'], ['127.8.9.10'], ['::1'], ['::ffff:127.0.0.1']])('accepts %s', (ip) => expect(check(req(ip))).toBe(true));
    it.each([['10.0.0.7'], ['192.168.1.2'], ['::ffff:10.0.0.7'], ['fd00::1'], ['8.8.8.8'], ['']])('refuses %j', (ip) => expect(check(req(ip))).toBe(false));
  });

  describe('with credentials', () => {
    const check = createCallerCheck({ user: 'worker', password: 'pa:ss' });
    it('accepts them from anywhere, scheme in any case', () => {
      expect(check(req('10.0.0.7', basic('worker:pa:ss')))).toBe(true);
      expect(check(req('10.0.0.7', `bAsIc ${Buffer.from('worker:pa:ss').toString('base64')}`))).toBe(true);
    });
    it.each([
      [undefined],
      [''],
      ['Basic'],
      ['Bearer abc'],
      [basic('worker:pa')],
      [basic('worker:pa:ss ')],
      [basic('Worker:pa:ss')],
      [basic('worker')],
      ['Basic !!!'],
    ])('refuses %j, loopback caller or not', (header) => {
      expect(check(req('127.0.0.1', header))).toBe(false);
    });
  });
});
