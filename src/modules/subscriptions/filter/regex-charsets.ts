import { CharTest, RegexSyntaxError } from './regex-types';

/** Character sets of Go's regexp syntax, as code-point tests. */

const ch = (c: string): number => c.codePointAt(0) as number;

const range =
  (...pairs: [string, string][]): CharTest =>
  (x) =>
    pairs.some(([lo, hi]) => x >= ch(lo) && x <= ch(hi));
const not =
  (t: CharTest): CharTest =>
  (x) =>
    !t(x);

// Go's Perl and POSIX classes are ASCII-only.
const DIGIT = range(['0', '9']);
const SPACE: CharTest = (x) => x === 0x20 || x === 0x09 || x === 0x0a || x === 0x0c || x === 0x0d;
export const WORD = range(['0', '9'], ['A', 'Z'], ['a', 'z'], ['_', '_']);
export const PERL_CLASSES: Record<string, CharTest> = { d: DIGIT, D: not(DIGIT), s: SPACE, S: not(SPACE), w: WORD, W: not(WORD) };
export const POSIX_CLASSES: Record<string, CharTest> = {
  alnum: range(['0', '9'], ['A', 'Z'], ['a', 'z']),
  alpha: range(['A', 'Z'], ['a', 'z']),
  ascii: (x) => x <= 0x7f,
  blank: (x) => x === 0x20 || x === 0x09,
  cntrl: (x) => x <= 0x1f || x === 0x7f,
  digit: DIGIT,
  graph: range(['!', '~']),
  lower: range(['a', 'z']),
  print: range([' ', '~']),
  punct: range(['!', '/'], [':', '@'], ['[', '`'], ['{', '~']),
  space: (x) => x === 0x20 || (x >= 0x09 && x <= 0x0d),
  upper: range(['A', 'Z']),
  word: WORD,
  xdigit: range(['0', '9'], ['A', 'F'], ['a', 'f']),
};

/** `\p{…}` names: Go accepts general categories (`L`, `Lu`) and scripts (`Greek`); JS spells scripts `Script=Greek`. */
export function unicodeClass(name: string): CharTest {
  if (name === 'Any') return () => true;
  if (!/^[A-Za-z_]{1,40}$/.test(name)) throw new RegexSyntaxError(`invalid character class range \\p{${name}}`);
  for (const spelled of [`General_Category=${name}`, `Script=${name}`]) {
    try {
      const re = new RegExp(`^\\p{${spelled}}$`, 'u');
      return (x) => re.test(String.fromCodePoint(x));
    } catch {
      // not this kind of property; try the next
    }
  }
  throw new RegexSyntaxError(`invalid character class range \\p{${name}}`);
}

const FOLD_CACHE = new Map<number, number>();

/** Simple case folding, close to Go's: the lower case of the upper case, when both are one code point. */
export function fold(cp: number): number {
  if (cp < 0x80) return cp >= 0x41 && cp <= 0x5a ? cp + 0x20 : cp;
  const cached = FOLD_CACHE.get(cp);
  if (cached !== undefined) return cached;
  const folded = lower(upper(cp));
  if (FOLD_CACHE.size < 4096) FOLD_CACHE.set(cp, folded);
  return folded;
}

export function upper(cp: number): number {
  return single(String.fromCodePoint(cp).toUpperCase(), cp);
}

function lower(cp: number): number {
  return single(String.fromCodePoint(cp).toLowerCase(), cp);
}

function single(s: string, fallback: number): number {
  const cp = s.codePointAt(0) as number;
  return s.length === (cp > 0xffff ? 2 : 1) ? cp : fallback;
}
