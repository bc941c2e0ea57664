import { LinearRegex, MAX_REGEX_LENGTH, RegexSyntaxError, StepBudgetExceeded } from './linear-regex';

const matches = (pattern: string, subject: string) => LinearRegex.compile(pattern).test(subject);

describe('LinearRegex: RE2 syntax and semantics', () => {
  it.each([
    ['abc', 'xxabcxx', true],
    ['abc', 'ab', false],
    ['', 'anything', true],
    ['', '', true],
    ['^abc$', 'abc', true],
    ['^abc$', 'abcd', false],
    ['^abc$', 'abc\n', false],
    ['a|b|c', 'zzc', true],
    ['gr(a|e)y', 'grey', true],
    ['gr(a|e)y', 'gry', false],
    ['(|x)y', 'y', true],
    ['colou?r', 'color', true],
    ['ab*c', 'ac', true],
    ['ab+c', 'ac', false],
    ['ab+c', 'abbbc', true],
    ['^a{3}$', 'aaa', true],
    ['^a{3}$', 'aaaa', false],
    ['^a{2,}$', 'a', false],
    ['^a{2,}$', 'aaaaa', true],
    ['^a{2,3}$', 'aaaa', false],
    ['^a{0,1}b$', 'b', true],
    ['^(ab){2}$', 'abab', true],
    ['a{,3}', 'a{,3}', true],
    ['x{', 'x{', true],
    ['^a*?b$', 'aab', true],
    ['^(?:ab)+$', 'ababab', true],
    ['.', '\n', false],
    ['.', '\r', true],
    ['(?s).', '\n', true],
    ['^b$', 'a\nb\nc', false],
    ['(?m)^b$', 'a\nb\nc', true],
    ['(?i)hello', 'HeLLo', true],
    ['(?i:h)ello', 'Hello', true],
    ['(?i:h)ello', 'HELLO', false],
    ['a(?i)b|c', 'C', true],
    ['(?i)[a-c]+', 'ABC', true],
    ['(?i)[^a]', 'A', false],
    ['(?i)k', '\u212a', true],
    ['(?i)straße', 'STRASSE', false],
    ['[a-z]+', 'ABC', false],
    ['[^a-z]', 'abc', false],
    ['[]a]', ']', true],
    ['[a-]', '-', true],
    ['[\\d.]+', '1.5', true],
    ['[[:alpha:]]+', 'abc', true],
    ['[[:^digit:]]', '123', false],
    ['\\d\\s\\w', '1 _', true],
    ['\\D', '123', false],
    ['\\s', '\u000b', false],
    ['\\S', ' \t', false],
    ['\\W', 'é', true],
    ['\\bfoo\\b', 'a foo b', true],
    ['\\bfoo\\b', 'afoob', false],
    ['\\Bfoo', 'afoo', true],
    ['\\Afoo', 'foo', true],
    ['\\Afoo', 'xfoo', false],
    ['foo\\z', 'xfoo', true],
    ['foo\\z', 'foo\n', false],
    ['\\Qa.b*\\E', 'a.b*', true],
    ['\\Qa.b*\\E', 'aXbb', false],
    ['\\x41\\x{1F600}', 'A😀', true],
    ['\\101', 'A', true],
    ['\\0', '\u0000', true],
    ['\\t\\n', '\t\n', true],
    ['\\.\\*\\_', '.*_', true],
    ['\\pL+', 'héllo', true],
    ['^\\PL$', 'a', false],
    ['\\p{Greek}', 'αβγ', true],
    ['\\p{^Greek}', 'α', false],
    ['\\p{Lu}', 'abc', false],
    ['[\\p{Nd}x]', '٣', true],
    ['^.$', '😀', true],
    ['^..$', '😀', false],
    ['^[😀-😂]$', '😁', true],
    ['(?P<year>\\d{4})-(?<month>\\d{2})', '2024-05', true],
    ['^(a*)*$', 'aaaa', true],
    ['^(a|ab)(c|bcd)(d*)$', 'abcd', true],
  ])('%s on %j → %p', (pattern, subject, expected) => {
    expect(matches(pattern, subject)).toBe(expected);
  });

  it("accepts Convoy's own test expressions", () => {
    expect(matches('^[a-zA-Z]+$', 'qwerty')).toBe(true);
    expect(matches('^cs_[a-zA-Z]+$', 'cs_qwerty')).toBe(true);
    const url =
      '^(?P<scheme>[^:\\/?#]+):(?:\\/\\/)?(?:(?:(?P<login>[^:]+)(?::(?P<password>[^@]+)?)?@)?(?P<host>[^@\\/?#:]*)(?::(?P<port>\\d+)?)?)?(?P<path>[^?#]*)(?:\\?(?P<query>[^#]*))?(?:#(?P<fragment>.*))?';
    expect(
      matches(
        url,
        'https://admin:admin@mfs-registry-stg.g4.app.cloud.comcast.net/eureka/apps/MFSAGENT/mfsagent:e1432431e46cf610d06e2dbcda13b069?status=UP&lastDirtyTimestamp=1643797857108',
      ),
    ).toBe(true);
  });

  it('agrees with JavaScript RegExp wherever the two dialects coincide', () => {
    const patterns = [
      'a+b',
      '^(a|b)*c$',
      '(ab|a)(bc|c)',
      'a{2,3}b?',
      '[a-c]+\\d',
      '^\\w+$',
      '(a|b)*?c',
      'b\\b',
      '(?:a*b*)+c',
      'a.c',
      '^$',
      '(a{0,2}){2}b',
      '^(a|b)+$|c',
      'a$|^b',
      '(a|)+b',
      '(a*)+$',
      'x*',
      '[^a]+$',
      '(?:a|b){1,3}c',
      '\\b\\w+\\b',
      'a(?:b|c)*1?',
      '\\B1',
      ' \\n?a',
      '[\\s1]{2}',
    ];
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    const alphabet = 'abc1 \n';
    for (const pattern of patterns) {
      const js = new RegExp(pattern);
      const ours = LinearRegex.compile(pattern);
      for (let k = 0; k < 300; k++) {
        const s = Array.from({ length: rand(12) }, () => alphabet[rand(alphabet.length)]).join('');
        expect([pattern, s, ours.test(s)]).toEqual([pattern, s, js.test(s)]);
      }
    }
  });

  it('agrees with JavaScript RegExp on ASCII case-insensitive matching', () => {
    for (const pattern of ['(?i)ab+c', '(?i)[a-c]x', '(?i)^[^b]+$', '(?i)(a|B)c']) {
      const js = new RegExp(pattern.slice(4), 'i');
      const ours = LinearRegex.compile(pattern);
      for (const s of ['ABC', 'abbbC', 'Ax', 'cX', 'bX', 'AAA', 'aB', 'bC', 'Ac', 'xyz', '']) {
        expect([pattern, s, ours.test(s)]).toEqual([pattern, s, js.test(s)]);
      }
    }
  });
});

describe('LinearRegex: refuses what RE2 refuses', () => {
  it.each([
    ['(a)\\1', 'backreferences'],
    ['(?P<x>a)(?P=x)', 'backreferences'],
    ['a(?=b)', 'lookahead'],
    ['a(?!b)', 'lookahead'],
    ['(?<=a)b', 'lookbehind'],
    ['(?<!a)b', 'lookbehind'],
    ['a**', 'nested repetition'],
    ['a+*', 'nested repetition'],
    ['a{2}{3}', 'nested repetition'],
    ['*a', 'missing argument'],
    ['a|*', 'missing argument'],
    ['(?i)*', 'missing argument'],
    ['a{1001}', 'invalid repeat count'],
    ['a{3,2}', 'invalid repeat count'],
    ['(a', 'missing closing )'],
    ['a)', 'unexpected )'],
    ['[a', 'missing closing ]'],
    ['[z-a]', 'invalid character class range'],
    ['[[:nope:]]', 'invalid character class range'],
    ['\\p{Nope}', 'invalid character class range'],
    ['\\p{Greek', 'invalid character class range'],
    ['\\q', 'invalid escape sequence'],
    ['\\8', 'invalid escape sequence'],
    ['\\xZZ', 'invalid escape sequence'],
    ['\\x{110000}', 'invalid escape sequence'],
    ['a\\', 'trailing backslash'],
    ['(?x)a', 'unsupported group syntax'],
    ['(?)a', 'missing flags'],
    ['(?i-)a', 'missing flags'],
    ['(?P<bad name>a)', 'invalid named capture'],
    ['(a{1000}){1000}', 'expression too large'],
    [
      '((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))',
      'nested too deeply',
    ],
  ])('%s (%s)', (pattern, message) => {
    expect(() => LinearRegex.compile(pattern)).toThrow(RegexSyntaxError);
    expect(() => LinearRegex.compile(pattern)).toThrow(message);
  });

  it(`refuses patterns longer than ${MAX_REGEX_LENGTH} characters`, () => {
    expect(() => LinearRegex.compile('a'.repeat(MAX_REGEX_LENGTH))).not.toThrow();
    expect(() => LinearRegex.compile('a'.repeat(MAX_REGEX_LENGTH + 1))).toThrow(`longer than ${MAX_REGEX_LENGTH}`);
  });
});

describe('LinearRegex: time linear in the subject', () => {
  // Each of these takes seconds to minutes in a backtracking engine at these sizes.
  it.each([
    ['\\d+\\d+\\d+x', '1'.repeat(200_000)],
    ['(a+)+$', `${'a'.repeat(100_000)}b`],
    ['^(a|aa)*c$', 'a'.repeat(100_000)],
    ['(x+x+)+y', 'x'.repeat(100_000)],
    ['(.*a){20}', 'a'.repeat(50_000)],
    ['^(\\w+\\s?)*$', `${'word '.repeat(20_000)}!`],
  ])('%s on a hostile subject', (pattern, subject) => {
    const started = process.hrtime.bigint();
    LinearRegex.compile(pattern).test(subject);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(3000);
  });

  it('spends from the budget it is given and stops when it runs out', () => {
    const re = LinearRegex.compile('\\d+\\d+\\d+x');
    const budget = { remaining: 1000 };
    expect(() => re.test('1'.repeat(10_000), budget)).toThrow(StepBudgetExceeded);
    const plenty = { remaining: 1_000_000 };
    expect(re.test('123x', plenty)).toBe(true);
    expect(plenty.remaining).toBeLessThan(1_000_000);
  });
});
