import { asConvoyMessage, asHeaders, ingestCommand, mergeHeaders, MessageRejected, parseBody } from './broker-message';
import { isPermanent } from './broker-ingest';
import { badRequest, notFound, unavailable } from '../../common/errors/domain-error';

const source = { id: 'src1', projectId: 'p1' };

describe('broker messages (Convoy contract)', () => {
  it('refuses bodies that are not JSON or not UTF-8', () => {
    expect(() => parseBody(Buffer.from('nope'))).toThrow(MessageRejected);
    expect(() => parseBody(Buffer.from([0xff, 0xfe]))).toThrow('not valid UTF-8');
    expect(parseBody(Buffer.from('{"a":1}'))).toEqual({ a: 1 });
  });

  it('refuses unknown fields and messages without an event type or data', () => {
    expect(() => asConvoyMessage({ event_type: 'x', data: {}, extra: 1 })).toThrow('unknown fields: extra');
    expect(() => asConvoyMessage({ data: {} })).toThrow('event type');
    expect(() => asConvoyMessage({ event_type: 'x' })).toThrow('data');
  });

  it('merges broker headers over custom_headers, keeps the message id and defaults the type to single', () => {
    expect(mergeHeaders({ 'X-A': 'broker' }, { 'x-a': 'custom', 'X-B': 'b' }, 'm1')).toEqual({
      'x-a': 'broker',
      'x-b': 'b',
      'x-broker-message-id': 'm1',
      'x-convoy-message-type': 'single',
    });
  });

  it('routes by message type and refuses what a type needs but lacks', () => {
    const msg = { endpoint_id: 'e1', owner_id: 'o1', event_type: 't', data: { a: 1 } };
    const single = ingestCommand(source, msg, { 'x-convoy-message-type': 'single' }, 'm1');
    expect(single).toMatchObject({ target: { kind: 'endpoint', endpointId: 'e1' }, sourceId: 'src1', brokerMessageId: 'm1', payload: '{"a":1}' });
    expect(ingestCommand(source, msg, { 'x-convoy-message-type': 'fanout' }, undefined).target).toEqual({ kind: 'owner', ownerId: 'o1' });
    expect(ingestCommand(source, msg, { 'x-convoy-message-type': 'broadcast' }, undefined).target).toEqual({ kind: 'broadcast' });
    expect(() => ingestCommand(source, { event_type: 't', data: 1 }, { 'x-convoy-message-type': 'single' }, undefined)).toThrow('endpoint_id');
    expect(() => ingestCommand(source, { event_type: 't', data: 1 }, { 'x-convoy-message-type': 'fanout' }, undefined)).toThrow('owner_id');
    expect(() => ingestCommand(source, msg, { 'x-convoy-message-type': 'multicast' }, undefined)).toThrow('single, fanout or broadcast');
  });

  it('takes only string values from a header function', () => {
    expect(() => asHeaders({ a: 1 })).toThrow(MessageRejected);
    expect(() => asHeaders([])).toThrow(MessageRejected);
    expect(asHeaders({ a: 'b' })).toEqual({ a: 'b' });
  });

  it('sorts failures: bad input is permanent, an unavailable store or an unknown error is not', () => {
    expect(isPermanent(new MessageRejected('x'))).toBe(true);
    expect(isPermanent(badRequest('c', 'm'))).toBe(true);
    expect(isPermanent(notFound('endpoint'))).toBe(true);
    expect(isPermanent(unavailable('db', 'down'))).toBe(false);
    expect(isPermanent(new Error('connect ECONNREFUSED'))).toBe(false);
  });
});
