import { readInboundBody } from './inbound-body';
import { parseSelector, RequestParts, selectScalar, selectValue, Selector } from './request-selectors';

const sel = (s: string): Selector => {
  const out = parseSelector(s);
  if (typeof out === 'string') throw new Error(out);
  return out;
};

describe('request selectors', () => {
  const parts: RequestParts = {
    headers: { 'x-id': 'abc', 'x-many': ['1', '2'] },
    query: { ref: 'r-9', list: ['a', 'b'] },
    body: { id: 42, data: { object: { id: 'evt_1' }, list: [1, 2] }, type: 'invoice.paid', nested: { deep: { n: null } } },
  };

  it("parses Convoy's forms", () => {
    expect(parseSelector('request.header.X-Id')).toEqual({ place: 'header', path: 'X-Id' });
    expect(parseSelector('req.Body.data.object.id')).toEqual({ place: 'body', path: 'data.object.id' });
    expect(parseSelector('request.QueryParam.ref')).toEqual({ place: 'query', path: 'ref' });
  });

  it.each(['request.header', 'request.cookie.a', 'response.body.id', 'request.header.a.b', 'request.body.a..b', 'request.body. id', 'id'])(
    'refuses %s',
    (s) => {
      expect(typeof parseSelector(s)).toBe('string');
    },
  );

  it('reads headers (case-insensitive), query values and body paths', () => {
    expect(selectValue(sel('request.header.X-ID'), parts)).toBe('abc');
    expect(selectValue(sel('request.header.X-Many'), parts)).toBe('1');
    expect(selectValue(sel('request.query.ref'), parts)).toBe('r-9');
    expect(selectValue(sel('request.query.list'), parts)).toBe('a');
    expect(selectValue(sel('request.body.id'), parts)).toBe('42');
    expect(selectValue(sel('request.body.data.object.id'), parts)).toBe('evt_1');
    expect(selectValue(sel('request.body.data.list'), parts)).toBe('[1,2]');
    expect(selectValue(sel('request.body.missing.id'), parts)).toBeUndefined();
    expect(selectValue(sel('request.body.nested.deep.n'), parts)).toBeUndefined();
    expect(selectValue(sel('request.body.__proto__'), parts)).toBeUndefined();
  });

  it('an event type must be a non-empty scalar', () => {
    expect(selectScalar(sel('request.body.type'), parts)).toBe('invoice.paid');
    expect(selectScalar(sel('request.body.id'), parts)).toBe('42');
    expect(selectScalar(sel('request.body.data'), parts)).toBeUndefined();
    expect(selectScalar(sel('request.header.missing'), parts)).toBeUndefined();
  });
});

describe('inbound bodies', () => {
  it('JSON stays as it came; an empty body is {}', () => {
    const raw = Buffer.from('{"a": 1}');
    expect(readInboundBody('application/json', raw)).toEqual({ kind: 'json', raw });
    expect(readInboundBody(undefined, raw)).toEqual({ kind: 'json', raw });
    expect(readInboundBody('application/json', Buffer.alloc(0))).toEqual({ kind: 'json', raw: Buffer.from('{}') });
  });

  it('a url-encoded form becomes a flat object of first values', () => {
    expect(readInboundBody('application/x-www-form-urlencoded; charset=utf-8', Buffer.from('a=1&b=x+y&a=2&c=%E2%9C%93'))).toEqual({
      kind: 'form',
      fields: { a: '1', b: 'x y', c: '✓' },
    });
  });

  it('a multipart form becomes a flat object of its fields, files left out', () => {
    const b = '----xyz';
    const raw = Buffer.from(
      [
        `--${b}`,
        'Content-Disposition: form-data; name="event"',
        '',
        'order.created',
        `--${b}`,
        'Content-Disposition: form-data; name="note"',
        'Content-Type: text/plain',
        '',
        'two\r\nlines',
        `--${b}`,
        'Content-Disposition: form-data; name="file"; filename="a.txt"',
        '',
        'file content',
        `--${b}--`,
        '',
      ].join('\r\n'),
    );
    expect(readInboundBody(`multipart/form-data; boundary=${b}`, raw)).toEqual({ kind: 'form', fields: { event: 'order.created', note: 'two\r\nlines' } });
  });

  it('refuses a multipart body without its boundary', () => {
    expect(() => readInboundBody('multipart/form-data', Buffer.from('x'))).toThrow('boundary');
    expect(() => readInboundBody('multipart/form-data; boundary=zz', Buffer.from('--zz\r\nContent-Disposition: form-data; name="a"\r\n\r\nv'))).toThrow(
      'not closed',
    );
  });
});
