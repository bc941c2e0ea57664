import { testConfig } from '../../../libs/testing/test-config';
import type { CaravanConfig } from '../../../libs/config';
import { FunctionFailure, FunctionSandbox } from './function-sandbox';

async function failure(p: Promise<unknown>): Promise<FunctionFailure> {
  try {
    await p;
  } catch (e) {
    if (e instanceof FunctionFailure) return e;
    throw e;
  }
  throw new Error('expected the run to fail');
}

describe('FunctionSandbox', () => {
  let sandbox: FunctionSandbox;
  const make = (overrides: Partial<CaravanConfig> = {}): FunctionSandbox => new FunctionSandbox(testConfig({ functionThreads: 1, ...overrides }));

  beforeAll(() => {
    sandbox = make();
  });
  afterAll(async () => {
    await sandbox.onModuleDestroy();
  });

  it("runs Convoy's transform on a copy of the payload and hands back JSON", async () => {
    const source = `function transform(payload) {
      const [first_name, ...rest] = payload?.name?.trim().replace(/([ ,])+/g, ' ').split(' ');
      return { first_name, rest: rest.join('-'), amount: payload.amount * 2 };
    }`;
    const r = await sandbox.run(source, JSON.stringify({ name: 'A B C', amount: 21 }));
    expect(JSON.parse(r.output)).toEqual({ first_name: 'A', rest: 'B-C', amount: 42 });
    expect(r.log).toEqual([]);
  });

  it('collects console.log lines, one entry per call, objects as JSON', async () => {
    const r = await sandbox.run(`function transform(p) { console.log('got', p.id); console.warn({ a: 1 }); console.error([1, 2]); return p }`, '{"id":"ev_1"}');
    expect(r.log).toEqual(['got ev_1', '{"a":1}', '[1,2]']);
    expect(r.output).toBe('{"id":"ev_1"}');
  });

  it('answers null when transform returns nothing, as Convoy delivers it', async () => {
    await expect(sandbox.run('function transform(p) { p.x = 1 }', '{}')).resolves.toEqual({ output: 'null', log: [] });
  });

  it('refuses a script without transform, a syntax error and a throw, with their messages', async () => {
    expect((await failure(sandbox.run('function run(p) { return p }', '{}'))).kind).toBe('missing_transform');
    const syntax = await failure(sandbox.check('function transform(){var i = 0;for (;;) {i++;} return 0;'));
    expect(syntax.kind).toBe('error');
    expect(syntax.message).toMatch(/^SyntaxError: .*\(line 1, column \d+\)$/);
    const thrown = await failure(sandbox.run(`function transform(p) { console.log('before'); throw new Error('boom') }`, '{}'));
    expect(thrown).toMatchObject({ kind: 'error', message: expect.stringMatching(/^Error: boom/) as unknown, log: ['before'] });
    expect((await failure(sandbox.run('function transform(p) { throw 42 }', '{}'))).message).toBe('uncaught 42');
    const tricky = await failure(sandbox.run(`function transform(p) { throw { get message() { throw new Error('gotcha') } } }`, '{}'));
    expect(tricky.kind).toBe('error');
  });

  it('stops an endless loop at the deadline, in the script body and in transform', async () => {
    const inBody = await failure(sandbox.check('var i = 0; for (;;) { i++ }'));
    expect(inBody.kind).toBe('timeout');
    const inTransform = await failure(sandbox.run('function transform(p) { for (;;) {} }', '{}'));
    // on a busy machine the thread may be stopped before the interrupt gets its turn: either way a timeout
    expect(inTransform.kind).toBe('timeout');
    expect(inTransform.message).toMatch(/^the function ran longer than 100 ms/);
    // the sandbox is still usable afterwards
    await expect(sandbox.run('function transform(p) { return 1 }', '{}')).resolves.toMatchObject({ output: '1' });
  });

  it('stops a catastrophic regular expression at the deadline', async () => {
    const e = await failure(sandbox.run(`function transform(p) { return /(a+)+b/.test('a'.repeat(40)) }`, '{}'));
    expect(e.kind).toBe('timeout');
  });

  // The memory and stack limits are under test here, not the deadline: on a busy machine a
  // bomb can take longer than 100 ms to reach them, so these runs get the longest deadline.
  describe('with a deadline that cannot fire first', () => {
    let roomy: FunctionSandbox;
    beforeAll(() => {
      roomy = make({ functionTimeoutMs: 10_000 });
    });
    afterAll(async () => {
      await roomy.onModuleDestroy();
    });

    it('stops a memory bomb at the memory limit', async () => {
      const e = await failure(roomy.run('function transform(p) { const a = []; for (;;) a.push(new ArrayBuffer(1 << 20)) }', '{}'));
      expect(e).toMatchObject({ kind: 'memory', message: `the function used more than ${16 * 1024 * 1024} bytes of memory` });
      const big = await failure(roomy.run('function transform(p) { return new ArrayBuffer(64 * 1024 * 1024) }', '{}'));
      expect(big.kind).toBe('memory');
    });

    it('stops deep recursion with a stack overflow, in the script and in JSON.parse', async () => {
      const e = await failure(roomy.run('function transform(p) { const f = (n) => f(n + 1) + 1; return f(0) }', '{}'));
      expect(e.message).toMatch(/stack overflow/);
      const deep = await failure(roomy.run(`function transform(p) { return JSON.parse('['.repeat(200000)) }`, '{}'));
      expect(deep.message).toMatch(/stack overflow/);
      await expect(roomy.run('function transform(p) { return p }', '[1]')).resolves.toMatchObject({ output: '[1]' });
    });
  });

  it('stops a run that outruns the deadline between interrupt checks, killing its thread, and starts a new one', async () => {
    const slow = make({ functionTimeoutMs: 5, functionMemoryLimitBytes: 256 * 1024 * 1024 });
    try {
      // each turn copies a megabyte and grows the memory: few turns, so few interrupt checks
      const e = await failure(slow.run(`function transform(p) { const a = []; for (let n = 0; ; n++) a.push('x'.repeat(1 << 20) + n) }`, '{}'));
      // the kill is what normally stops it; on a busy machine an interrupt check may come first
      expect(e.kind).toBe('timeout');
      expect(e.message).toMatch(/^the function ran longer than 5 ms/);
      await expect(slow.run('function transform(p) { return p }', '2')).resolves.toMatchObject({ output: '2' });
    } finally {
      await slow.onModuleDestroy();
    }
  });

  it('gives the script no host access: no require, process, fetch, timers; only its own globals', async () => {
    const r = await sandbox.run(
      `function transform(p) {
        const seen = {};
        for (const name of ['require', 'process', 'fetch', 'setTimeout', 'setInterval', 'module', 'Buffer', 'std', 'os', 'WebAssembly', 'XMLHttpRequest'])
          seen[name] = typeof globalThis[name];
        seen.globalThis = typeof globalThis;
        seen.viaFunction = Function('return typeof process')();
        return seen;
      }`,
      '{}',
    );
    const seen = JSON.parse(r.output) as Record<string, string>;
    expect(seen).toEqual({
      require: 'undefined',
      process: 'undefined',
      fetch: 'undefined',
      setTimeout: 'undefined',
      setInterval: 'undefined',
      module: 'undefined',
      Buffer: 'undefined',
      std: 'undefined',
      os: 'undefined',
      WebAssembly: 'undefined',
      XMLHttpRequest: 'undefined',
      globalThis: 'object',
      viaFunction: 'undefined',
    });
    const req = await failure(sandbox.run(`function transform(p) { return require('/etc/passwd') }`, '{}'));
    expect(req.message).toMatch(/^ReferenceError: /);
    expect(req.message).not.toMatch(/root:/);
  });

  it('keeps nothing between runs: globals and changed built-ins are gone the next time', async () => {
    await sandbox.run(
      `var leaked = 'tenant A'; globalThis.secret = 'a-secret'; Array.prototype.evil = 1; JSON.stringify = () => '"hijacked"'; function transform(p) { return p }`,
      '{}',
    );
    const r = await sandbox.run(
      `function transform(p) { return { leaked: typeof leaked, secret: typeof secret, evil: typeof [].evil, json: JSON.stringify({ ok: 1 }) } }`,
      '{}',
    );
    expect(JSON.parse(r.output)).toEqual({ leaked: 'undefined', secret: 'undefined', evil: 'undefined', json: '{"ok":1}' });
  });

  it('caps the log: lines beyond the limit are counted, long lines cut', async () => {
    const capped = make({ functionMaxLogLines: 3, functionMaxLogLineChars: 20 });
    try {
      const r = await capped.run(
        `function transform(p) { const x = 'x'.repeat(1000); for (let i = 0; i < 2000; i++) console.log('line', i, x); return p }`,
        '{}',
      );
      expect(r.log).toHaveLength(4);
      expect(r.log.slice(0, 3)).toEqual(['line 0 xxxxxxxxxxxxx', 'line 1 xxxxxxxxxxxxx', 'line 2 xxxxxxxxxxxxx']);
      expect(r.log[3]).toBe('… 1997 more log lines not kept');
      // replacing the built-ins the prelude uses does not lift the cap
      const sly = await capped.run(
        `String.prototype.slice = function () { return this + this }; function transform(p) { console.log('y'.repeat(100)); return p }`,
        '{}',
      );
      expect(sly.log).toEqual(['y'.repeat(20)]);
    } finally {
      await capped.onModuleDestroy();
    }
  });

  it('refuses a result over the size limit, a promise, and a function over the source limit', async () => {
    const small = make({ functionMaxResultBytes: 1024, functionMaxSourceBytes: 1024 });
    try {
      expect((await failure(small.run(`function transform(p) { return 'x'.repeat(2000) }`, '{}'))).kind).toBe('result_too_large');
      // multi-byte characters count as bytes
      expect((await failure(small.run(`function transform(p) { return 'é'.repeat(600) }`, '{}'))).kind).toBe('result_too_large');
      expect((await failure(small.run('async function transform(p) { return p }', '{}'))).message).toMatch(/promise/);
      const long = await failure(small.check(`function transform(p) { return p } // ${'x'.repeat(2000)}`));
      expect(long.message).toBe('the function is larger than 1024 bytes');
    } finally {
      await small.onModuleDestroy();
    }
  });

  it('fails a run as busy when no thread takes it within its wait limit', async () => {
    const held = sandbox.run('function transform(p) { for (;;) {} }', '{}', 'tenant-a');
    const waiting = await failure(sandbox.run('function transform(p) { return p }', '{}', 'tenant-b', 10));
    expect(waiting).toMatchObject({ kind: 'busy', byFunction: false });
    expect((await failure(held)).kind).toBe('timeout');
  });

  it('takes waiting runs round-robin by tenant, so a slow tenant waits behind itself', async () => {
    const order: string[] = [];
    const slow = 'function transform(p) { const t = Date.now(); while (Date.now() - t < 20) {} return p }';
    const runs = [
      ...Array.from({ length: 4 }, (_, i) => sandbox.run(slow, `"a${i}"`, 'tenant-a').then(() => order.push(`a${i}`))),
      sandbox.run('function transform(p) { return p }', '"b0"', 'tenant-b').then(() => order.push('b0')),
    ];
    await Promise.all(runs);
    expect(order.indexOf('b0')).toBeLessThanOrEqual(2);
  });
});
