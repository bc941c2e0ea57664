import { dependencyLog, DependencyLine, dependencyTarget, isConnectionError, setDependencyLogInterval, unreachableMessage } from './dependency-log';

function refused(port: number): Error {
  return Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), { code: 'ECONNREFUSED' });
}

describe('dependency log', () => {
  afterEach(() => setDependencyLogInterval(30_000));

  it('writes one line, then counts the repeats into the next one, then says when it is back', async () => {
    setDependencyLogInterval(50);
    const out: { level: string; line: DependencyLine }[] = [];
    const write = (level: 'warn' | 'info' | 'error', line: DependencyLine) => out.push({ level, line });
    const log = dependencyLog('postgres');
    for (let i = 0; i < 5; i++) log.failed('postgres://u:pw@db.internal:5433/caravan', refused(5433), write);
    expect(out).toHaveLength(1);
    expect(out[0].line).toEqual({
      fields: {
        dependency: 'postgres',
        target: 'db.internal:5433',
        variable: 'DATABASE_URL',
        error: 'connect ECONNREFUSED 127.0.0.1:5433',
        code: 'ECONNREFUSED',
      },
      msg: 'PostgreSQL unreachable at db.internal:5433: connect ECONNREFUSED 127.0.0.1:5433 (check DATABASE_URL)',
    });
    expect(log.isDown).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 60)); // the quiet interval is over
    log.failed('postgres://u:pw@db.internal:5433/caravan', refused(5433), write);
    expect(out).toHaveLength(2);
    expect(out[1].line.fields.repeated).toBe(4);
    log.recovered('postgres://u:pw@db.internal:5433/caravan', write);
    log.recovered('postgres://u:pw@db.internal:5433/caravan', write);
    expect(out.map((o) => [o.level, o.line.msg])).toEqual([
      ['warn', expect.any(String)],
      ['warn', expect.any(String)],
      ['info', 'PostgreSQL reachable again at db.internal:5433'],
    ]);
    expect(JSON.stringify(out)).not.toContain('pw');
  });

  it('tells connection failures from other errors, and fills in default ports', () => {
    expect(isConnectionError(refused(1))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('password authentication failed'), { code: '28P01' }))).toBe(true);
    expect(isConnectionError(new AggregateError([refused(1)], ''))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(dependencyTarget('redis', 'redis://cache')).toBe('cache:6379');
    expect(unreachableMessage('redis', 'rediss://:secret@cache:6380/2', new Error('timeout'))).toBe(
      'Redis unreachable at cache:6380: timeout (check REDIS_URL)',
    );
  });
});
