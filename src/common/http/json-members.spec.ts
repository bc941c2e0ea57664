import { topLevelMembers } from './json-members';

describe('topLevelMembers', () => {
  it('returns the exact text of each member', () => {
    const text =
      '{ "event_type" : "a.b",\n "data": {"n": 12345678901234567890, "__proto__": {"x": 1}, "constructor": "c", "s": "a\\"}b"} , "z":[1, {"q": "]"}] }';
    const m = topLevelMembers(text)!;
    expect(m.get('event_type')).toBe('"a.b"');
    expect(m.get('data')).toBe('{"n": 12345678901234567890, "__proto__": {"x": 1}, "constructor": "c", "s": "a\\"}b"}');
    expect(m.get('z')).toBe('[1, {"q": "]"}]');
  });

  it('keeps what parsing would change: big integers, __proto__ and constructor keys', () => {
    const data = '{"id":9007199254740993,"__proto__":{"admin":true},"constructor":{"prototype":1},"toString":"x"}';
    const m = topLevelMembers(`{"data":${data}}`)!;
    expect(m.get('data')).toBe(data);
    expect(JSON.stringify(JSON.parse(data))).not.toBe(data);
  });

  it('takes the last of repeated keys, as JSON.parse does, and reads escaped keys', () => {
    expect(topLevelMembers('{"data":1,"data":{"b":2}}')!.get('data')).toBe('{"b":2}');
    expect(topLevelMembers('{"d\\u0061ta":true}')!.get('data')).toBe('true');
  });

  it('reads scalars, empty objects and nested strings with brackets', () => {
    const m = topLevelMembers('{"a":-1.5e3,"b":null,"c":{},"d":"{[","e":[]}')!;
    expect([...m.entries()]).toEqual([
      ['a', '-1.5e3'],
      ['b', 'null'],
      ['c', '{}'],
      ['d', '"{["'],
      ['e', '[]'],
    ]);
    expect(topLevelMembers('{}')!.size).toBe(0);
  });

  it('answers undefined for anything but an object', () => {
    expect(topLevelMembers('[1]')).toBeUndefined();
    expect(topLevelMembers('"x"')).toBeUndefined();
  });
});
