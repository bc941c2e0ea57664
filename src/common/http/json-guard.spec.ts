import { CUSTOM_HEADER_LIMITS, inspectJson, isValidUtf8, MAX_JSON_DEPTH, validateCustomHeaders } from './json-guard';

function nested(depth: number, leaf: unknown = 1, kind: 'array' | 'object' = 'array'): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

describe('inspectJson', () => {
  it('accepts ordinary JSON', () => {
    expect(inspectJson(JSON.parse('{"a":[1,"x",null,true,{"b":-2.5e3}],"emoji":"😀","é":"ü"}'))).toEqual({ ok: true });
    expect(inspectJson('plain')).toEqual({ ok: true });
    expect(inspectJson(null)).toEqual({ ok: true });
    expect(inspectJson([])).toEqual({ ok: true });
  });

  it('allows exactly the maximum depth and refuses one more', () => {
    expect(MAX_JSON_DEPTH).toBe(64);
    expect(inspectJson(nested(64), { maxDepth: 64 })).toEqual({ ok: true });
    expect(inspectJson(nested(64, 1, 'object'), { maxDepth: 64 })).toEqual({ ok: true });
    expect(inspectJson(nested(65), { maxDepth: 64 })).toMatchObject({ ok: false, code: 'too_deep' });
    expect(inspectJson(nested(65, 1, 'object'))).toMatchObject({ ok: false, code: 'too_deep' });
  });

  it('counts an empty container as a level', () => {
    expect(inspectJson(nested(2, []), { maxDepth: 2 })).toMatchObject({ ok: false, code: 'too_deep' });
    expect(inspectJson(nested(1, {}), { maxDepth: 2 })).toEqual({ ok: true });
  });

  it('walks a million levels without overflowing the stack', () => {
    const deep = JSON.parse('['.repeat(1_000_000) + ']'.repeat(1_000_000)) as unknown;
    expect(inspectJson(deep, { maxDepth: 64 })).toMatchObject({ ok: false, code: 'too_deep' });
  });

  it('finds U+0000 in values and in keys, and says where', () => {
    const value = JSON.parse('{"a":{"list":[1,"ok","bad\\u0000"]}}') as unknown;
    const r = inspectJson(value, { maxDepth: 64 });
    expect(r).toMatchObject({ ok: false, code: 'nul_character', path: '$.a.list[2]' });
    expect(!r.ok && r.message).toContain('$.a.list[2]');
    expect(inspectJson(JSON.parse('{"x":{"k\\u0000ey":1}}'), { maxDepth: 64 })).toMatchObject({ ok: false, code: 'nul_character', path: '$.x["k\\u0000ey"]' });
    expect(inspectJson('\u0000', { maxDepth: 64 })).toMatchObject({ ok: false, code: 'nul_character', path: '$' });
  });

  it('refuses unpaired surrogates, which PostgreSQL jsonb rejects, but keeps real pairs', () => {
    expect(inspectJson(JSON.parse('"\\ud83d\\ude00"'), { maxDepth: 64 })).toEqual({ ok: true });
    expect(inspectJson(JSON.parse('["\\ud83d"]'), { maxDepth: 64 })).toMatchObject({ ok: false, code: 'lone_surrogate', path: '$[0]' });
    expect(inspectJson(JSON.parse('{"\\ude00":1}'), { maxDepth: 64 })).toMatchObject({ ok: false, code: 'lone_surrogate' });
    expect(inspectJson('a\udc00\ud800b', { maxDepth: 64 })).toMatchObject({ ok: false, code: 'lone_surrogate' });
  });

  it('refuses values JSON cannot carry', () => {
    for (const bad of [undefined, () => 1, Symbol('x'), 10n, Number.NaN, Number.POSITIVE_INFINITY, new Date(0), new Map()]) {
      expect(inspectJson({ a: [bad] }, { maxDepth: 64 })).toMatchObject({ ok: false, code: 'not_json', path: '$.a[0]' });
    }
    expect(inspectJson(Object.create(null), { maxDepth: 64 })).toEqual({ ok: true });
  });

  it('reports the first problem in document order', () => {
    expect(inspectJson(JSON.parse('{"a":"\\u0000","b":"\\ud800"}'), { maxDepth: 64 })).toMatchObject({ code: 'nul_character', path: '$.a' });
    expect(inspectJson(JSON.parse('[["\\ud800"],"\\u0000"]'), { maxDepth: 64 })).toMatchObject({ code: 'lone_surrogate', path: '$[0][0]' });
  });

  it('bounds the number of values when asked', () => {
    expect(inspectJson([1, 2, 3], { maxDepth: 64, maxNodes: 4 })).toEqual({ ok: true });
    expect(inspectJson([1, 2, 3, 4], { maxDepth: 64, maxNodes: 4 })).toMatchObject({ ok: false, code: 'too_many_nodes' });
  });

  it('quotes awkward keys in paths and shortens long ones', () => {
    const long = 'k'.repeat(100);
    expect(inspectJson({ 'a b': { [long]: '\u0000' } }, { maxDepth: 64 })).toMatchObject({ path: `$["a b"][${JSON.stringify(`${'k'.repeat(64)}…`)}]` });
  });
});

describe('isValidUtf8', () => {
  const hex = (h: string) => Buffer.from(h, 'hex');
  it.each([
    ['ASCII', '7b2261223a317d', true],
    ['two-byte é', 'c3a9', true],
    ['four-byte emoji', 'f09f9880', true],
    ['U+FFFD itself', 'efbfbd', true],
    ['empty', '', true],
    ['a NUL byte (valid UTF-8; inspectJson deals with it)', '00', true],
    ['an overlong slash', 'c0af', false],
    ['an overlong NUL', 'c080', false],
    ['an encoded surrogate', 'eda080', false],
    ['a code point past U+10FFFF', 'f4908080', false],
    ['a byte that never appears', 'ff', false],
    ['a truncated sequence', 'e282', false],
    ['a lone continuation byte', '80', false],
  ])('%s → %p', (_name, h, ok) => {
    expect(isValidUtf8(hex(h))).toBe(ok);
  });

  it('takes plain Uint8Arrays too', () => {
    expect(isValidUtf8(new TextEncoder().encode('héllo'))).toBe(true);
    expect(isValidUtf8(new Uint8Array([0xc3]))).toBe(false);
  });
});

describe('validateCustomHeaders', () => {
  it('accepts ordinary headers and an absent map', () => {
    expect(validateCustomHeaders({ 'X-Tenant': 'acme', Authorization: 'Bearer abc', 'x-empty': '', 'X-Latin1': 'café' })).toEqual([]);
    expect(validateCustomHeaders(undefined)).toEqual([]);
    expect(validateCustomHeaders(null)).toEqual([]);
    expect(validateCustomHeaders({})).toEqual([]);
  });

  it.each([
    ['a string', 'X-A: 1'],
    ['an array', [['X-A', '1']]],
    ['a number', 3],
  ])('refuses %s instead of a map', (_n, v) => {
    expect(validateCustomHeaders(v)).toEqual(['custom headers must be an object of header names to string values']);
  });

  it.each([
    ['CR', 'a\rb', 'CR or LF'],
    ['LF', 'a\nSet-Cookie: x=1', 'CR or LF'],
    ['CRLF', 'a\r\n\r\nbody', 'CR or LF'],
    ['NUL', 'a\u0000b', 'NUL'],
    ['a bell', 'a\u0007', 'control character'],
    ['DEL', 'a\u007f', 'control character'],
    ['a character past Latin-1', 'naïve → ok', 'ISO-8859-1'],
    ['an emoji', '😀', 'ISO-8859-1'],
  ])('refuses a value with %s', (_name, value, fragment) => {
    const problems = validateCustomHeaders({ 'X-A': value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('"X-A"');
    expect(problems[0]).toContain(fragment);
  });

  it('allows a horizontal tab inside a value', () => {
    expect(validateCustomHeaders({ 'X-A': 'a\tb' })).toEqual([]);
  });

  it.each(['X A', 'X:A', 'X\r\nY', 'é', '(x)', 'x/y', 'a"b', ''])('refuses the name %p', (name) => {
    expect(validateCustomHeaders({ [name]: 'v' })).toHaveLength(1);
  });

  it.each([
    'Connection',
    'keep-alive',
    'Proxy-Authorization',
    'proxy-connection',
    'TE',
    'Trailer',
    'Transfer-Encoding',
    'Upgrade',
    'Host',
    'Content-Length',
    'X-Convoy-Signature',
    'webhook-id',
    'Webhook-Timestamp',
    'WEBHOOK-SIGNATURE',
    'X-Convoy-Event-ID',
    'X-Convoy-EventDelivery-ID',
  ])('refuses the reserved name %s', (name) => {
    const problems = validateCustomHeaders({ [name]: 'v' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('set by the gateway');
  });

  it("refuses the project's own signature header, given as a name or in options", () => {
    expect(validateCustomHeaders({ 'X-Acme-Signature': 'forged' }, 'x-acme-signature')).toHaveLength(1);
    expect(validateCustomHeaders({ 'x-acme-signature': 'forged' }, { signatureHeader: 'X-Acme-Signature' })).toHaveLength(1);
    expect(validateCustomHeaders({ 'X-Acme-Signature': 'fine' })).toEqual([]);
  });

  it('refuses the same name twice in different case', () => {
    const problems = validateCustomHeaders({ 'X-A': '1', 'x-a': '2' });
    expect(problems).toEqual([expect.stringContaining('more than once')]);
  });

  it('refuses values that are not strings', () => {
    expect(validateCustomHeaders({ 'X-N': 1, 'X-B': true, 'X-L': ['a'], 'X-O': {} })).toHaveLength(4);
  });

  it('caps the count, the name and value sizes and the total', () => {
    const many = Object.fromEntries(Array.from({ length: CUSTOM_HEADER_LIMITS.maxHeaders + 1 }, (_, i) => [`X-${i}`, 'v']));
    expect(validateCustomHeaders(many)).toEqual([expect.stringContaining(`at most ${CUSTOM_HEADER_LIMITS.maxHeaders}`)]);
    expect(validateCustomHeaders({ ['X'.repeat(257)]: 'v' })).toEqual([expect.stringContaining('longer than 256')]);
    expect(validateCustomHeaders({ 'X-A': 'v'.repeat(4097) })).toEqual([expect.stringContaining('longer than 4096')]);
    const big = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`X-${i}`, 'v'.repeat(4000)]));
    expect(validateCustomHeaders(big)).toEqual([expect.stringContaining('total more than 16384')]);
    expect(validateCustomHeaders({ 'X-A': 'v'.repeat(20) }, { maxValueLength: 10, maxHeaders: 1 })).toHaveLength(1);
  });

  it('names every problem at once and keeps raw control characters out of messages', () => {
    const problems = validateCustomHeaders({ 'Bad\r\nName': 'x', Host: 'evil', 'X-Ok': 'fine', 'X-V': 'a\nb' });
    expect(problems).toHaveLength(3);
    for (const p of problems) expect(p).not.toMatch(/[\r\n]/);
  });
});
