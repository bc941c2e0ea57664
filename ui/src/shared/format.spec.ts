import { excerpt, parseObject, percent, perMinute, rfc3339 } from './format';

describe('the UI formatting helpers', () => {
  it('counts deliveries per minute by outcome and leaves out rows outside the window', () => {
    const now = Date.parse('2026-12-01T10:30:30Z');
    const rows = [
      { created_at: '2026-12-01T10:30:05Z', status: 'Success' },
      { created_at: '2026-12-01T10:30:59Z', status: 'Failure' },
      { created_at: '2026-12-01T10:29:00Z', status: 'Retry' },
      { created_at: '2026-12-01T10:27:59Z', status: 'Discarded' },
      { created_at: '2026-12-01T10:27:00Z', status: 'Success' },
      { created_at: '2026-12-01T10:31:00Z', status: 'Success' },
      { created_at: 'not a date', status: 'Success' },
    ];
    const b = perMinute(rows, 3, now);
    expect(b.map((x) => new Date(x.at).toISOString())).toEqual(['2026-12-01T10:28:00.000Z', '2026-12-01T10:29:00.000Z', '2026-12-01T10:30:00.000Z']);
    expect(b.map(({ success, failure, other }) => [success, failure, other])).toEqual([
      [0, 0, 0],
      [0, 0, 1],
      [1, 1, 0],
    ]);
  });

  it('shows a failure ratio as a percentage', () => {
    expect(percent(0.5)).toBe('50 %');
    expect(percent(0.025)).toBe('2.5 %');
    expect(percent(0)).toBe('0 %');
    expect(percent(undefined)).toBe('—');
  });

  it('parses JSON objects typed by the user and names what is wrong', () => {
    expect(parseObject('', 'x')).toEqual({ value: {} });
    expect(parseObject('{"a":1}', 'x')).toEqual({ value: { a: 1 } });
    expect(parseObject('[1]', 'The filter').error).toBe('The filter must be a JSON object');
    expect(parseObject('{a', 'The filter').error).toMatch(/^The filter is not valid JSON/);
  });

  it('turns a datetime-local value into RFC 3339 and cuts long bodies', () => {
    expect(rfc3339('')).toBeUndefined();
    expect(rfc3339('2026-12-01T10:00')).toMatch(/^2026-1[12]-\d\dT\d\d:\d\d:00Z$/);
    expect(excerpt('abcdef', 3)).toEqual({ text: 'abc', cut: true });
    expect(excerpt(null)).toEqual({ text: '', cut: false });
  });
});
