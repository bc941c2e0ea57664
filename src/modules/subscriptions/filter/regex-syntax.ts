/**
 * Parser for the regular-expression dialect of Convoy's `$regex` operator: Go's `regexp`
 * (RE2) syntax. Constructs RE2 refuses (backreferences, lookaround) are refused here too, which
 * is also what lets {@link ./linear-regex} match in time linear in the subject.
 */

import { fold, PERL_CLASSES, POSIX_CLASSES, unicodeClass, upper } from './regex-charsets';
import { CharTest, RegexSyntaxError } from './regex-types';

export type { CharTest };
export type AssertKind = 'text_start' | 'text_end' | 'line_start' | 'line_end' | 'word_boundary' | 'not_word_boundary';

export type RegexNode =
  | { type: 'empty' }
  | { type: 'char'; test: CharTest }
  | { type: 'concat'; items: RegexNode[] }
  | { type: 'alternate'; items: RegexNode[] }
  | { type: 'repeat'; item: RegexNode; min: number; max: number }
  | { type: 'assert'; kind: AssertKind };

export { RegexSyntaxError };

/** Go's limit on a counted repetition. */
export const MAX_REPEAT_COUNT = 1000;
const MAX_NESTING = 100;

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
}

const EMPTY: RegexNode = { type: 'empty' };
const NEWLINE = 0x0a;

export function parseRegex(source: string): RegexNode {
  return new Parser(source).parse();
}

const ch = (c: string): number => c.codePointAt(0) as number;

class Parser {
  private readonly cps: number[];
  private pos = 0;
  private depth = 0;

  constructor(source: string) {
    this.cps = Array.from(source, ch);
  }

  parse(): RegexNode {
    const node = this.alternation({ i: false, m: false, s: false });
    if (this.pos < this.cps.length) throw new RegexSyntaxError('unexpected )');
    return node;
  }

  private peek(offset = 0): number | undefined {
    return this.cps[this.pos + offset];
  }

  private next(): number {
    const c = this.cps[this.pos++];
    if (c === undefined) throw new RegexSyntaxError('unexpected end of pattern');
    return c;
  }

  private eat(c: string): boolean {
    if (this.peek() !== ch(c)) return false;
    this.pos++;
    return true;
  }

  /** `flags` is shared by the branches: a `(?i)` holds until the enclosing group ends, across `|`. */
  private alternation(flags: Flags): RegexNode {
    const items = [this.concatenation(flags)];
    while (this.eat('|')) items.push(this.concatenation(flags));
    return items.length === 1 ? items[0] : { type: 'alternate', items };
  }

  private concatenation(flags: Flags): RegexNode {
    const items: RegexNode[] = [];
    for (let c = this.peek(); c !== undefined && c !== ch('|') && c !== ch(')'); c = this.peek()) {
      if (this.quantifierAhead()) throw new RegexSyntaxError('missing argument to repetition operator');
      const atoms = this.atom(flags);
      if (atoms.length === 0) continue;
      items.push(...atoms.slice(0, -1), this.quantified(atoms[atoms.length - 1]));
    }
    if (items.length === 0) return EMPTY;
    return items.length === 1 ? items[0] : { type: 'concat', items };
  }

  private quantified(atom: RegexNode): RegexNode {
    const q = this.quantifier();
    if (!q) return atom;
    if (this.quantifierAhead()) throw new RegexSyntaxError('invalid nested repetition operator');
    return { type: 'repeat', item: atom, min: q.min, max: q.max };
  }

  private quantifierAhead(): boolean {
    const c = this.peek();
    if (c === ch('*') || c === ch('+') || c === ch('?')) return true;
    return c === ch('{') && this.countedRepeat(this.pos, false) !== undefined;
  }

  private quantifier(): { min: number; max: number } | undefined {
    const c = this.peek();
    let q: { min: number; max: number } | undefined;
    if (c === ch('*')) q = { min: 0, max: Infinity };
    else if (c === ch('+')) q = { min: 1, max: Infinity };
    else if (c === ch('?')) q = { min: 0, max: 1 };
    if (q) this.pos++;
    else if (c === ch('{')) q = this.countedRepeat(this.pos, true);
    // laziness changes which match is found, never whether one exists
    if (q) this.eat('?');
    return q;
  }

  /** `{n}`, `{n,}` or `{n,m}` at `at`; anything else is a literal `{`, as in Go. */
  private countedRepeat(at: number, consume: boolean): { min: number; max: number } | undefined {
    let text = '';
    for (let i = at; i < this.cps.length && text.length < 16; i++) {
      text += String.fromCodePoint(this.cps[i]);
      if (this.cps[i] === ch('}')) break;
    }
    const m = /^\{(\d+)(,(\d*))?\}/.exec(text);
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_REPEAT_COUNT || (max !== Infinity && (max > MAX_REPEAT_COUNT || max < min))) {
      throw new RegexSyntaxError(`invalid repeat count ${m[0]}`);
    }
    if (consume) this.pos = at + Array.from(m[0]).length;
    return { min, max };
  }

  private atom(flags: Flags): RegexNode[] {
    const c = this.next();
    switch (c) {
      case ch('('):
        return this.group(flags);
      case ch('['):
        return [{ type: 'char', test: this.charClass(flags) }];
      case ch('.'):
        return [{ type: 'char', test: flags.s ? () => true : (x) => x !== NEWLINE }];
      case ch('^'):
        return [{ type: 'assert', kind: flags.m ? 'line_start' : 'text_start' }];
      case ch('$'):
        return [{ type: 'assert', kind: flags.m ? 'line_end' : 'text_end' }];
      case ch('\\'):
        return this.escape(flags);
      default:
        return [literal(c, flags)];
    }
  }

  private group(outer: Flags): RegexNode[] {
    if (++this.depth > MAX_NESTING) throw new RegexSyntaxError('groups nested too deeply');
    let flags: Flags = { ...outer };
    if (this.eat('?')) {
      if (this.eat('P')) {
        if (this.peek() === ch('=')) throw new RegexSyntaxError('backreferences are not supported');
        if (!this.eat('<')) throw new RegexSyntaxError('invalid named capture');
        this.groupName();
      } else if (this.peek() === ch('=') || this.peek() === ch('!')) {
        throw new RegexSyntaxError('lookahead is not supported');
      } else if (this.eat('<')) {
        if (this.peek() === ch('=') || this.peek() === ch('!')) throw new RegexSyntaxError('lookbehind is not supported');
        this.groupName();
      } else {
        const { next, scoped } = this.flagGroup(outer);
        if (!scoped) {
          // `(?i)`: changes the flags of the rest of the enclosing group and matches nothing
          Object.assign(outer, next);
          this.depth--;
          return [];
        }
        flags = next;
      }
    }
    const body = this.alternation(flags);
    if (!this.eat(')')) throw new RegexSyntaxError('missing closing )');
    this.depth--;
    return [body];
  }

  private groupName(): void {
    let name = '';
    while (this.peek() !== undefined && this.peek() !== ch('>')) name += String.fromCodePoint(this.next());
    if (!this.eat('>') || !/^[A-Za-z0-9_]+$/.test(name)) throw new RegexSyntaxError('invalid named capture');
  }

  /** After `(?`: `flags)` or `flags:`; flags are i, m, s, U, optionally negated after one `-`. */
  private flagGroup(outer: Flags): { next: Flags; scoped: boolean } {
    const next = { ...outer };
    let negate = false;
    let sawFlag = false;
    for (;;) {
      const c = this.next();
      if (c === ch(':') || c === ch(')')) {
        if ((c === ch(')') && !sawFlag) || (negate && !sawFlag)) throw new RegexSyntaxError('missing flags in group');
        return { next, scoped: c === ch(':') };
      }
      if (c === ch('-')) {
        if (negate) throw new RegexSyntaxError('invalid flags in group');
        negate = true;
        sawFlag = false;
        continue;
      }
      const flag = String.fromCodePoint(c);
      if (flag === 'i' || flag === 'm' || flag === 's') next[flag] = !negate;
      else if (flag !== 'U') throw new RegexSyntaxError(`invalid or unsupported group syntax (?${flag}`);
      sawFlag = true;
    }
  }

  private escape(flags: Flags): RegexNode[] {
    const c = this.peek();
    if (c === undefined) throw new RegexSyntaxError('trailing backslash at end of expression');
    switch (String.fromCodePoint(c)) {
      case 'A':
        this.pos++;
        return [{ type: 'assert', kind: 'text_start' }];
      case 'z':
        this.pos++;
        return [{ type: 'assert', kind: 'text_end' }];
      case 'b':
        this.pos++;
        return [{ type: 'assert', kind: 'word_boundary' }];
      case 'B':
        this.pos++;
        return [{ type: 'assert', kind: 'not_word_boundary' }];
      case 'Q': {
        this.pos++;
        const out: RegexNode[] = [];
        while (this.pos < this.cps.length && !(this.peek() === ch('\\') && this.peek(1) === ch('E'))) out.push(literal(this.next(), flags));
        if (this.pos < this.cps.length) this.pos += 2;
        return out;
      }
      default: {
        const cls = this.classEscape();
        if (cls) return [{ type: 'char', test: flags.i ? foldTest(cls) : cls }];
        return [literal(this.singleEscape(), flags)];
      }
    }
  }

  /** `\d \D \s \S \w \W \pX \p{Name} \PX \P{^Name}` after the backslash, or undefined. */
  private classEscape(): CharTest | undefined {
    const c = this.peek();
    if (c === undefined) return undefined;
    const perl = PERL_CLASSES[String.fromCodePoint(c)];
    if (perl) {
      this.pos++;
      return perl;
    }
    if (c !== ch('p') && c !== ch('P')) return undefined;
    this.pos++;
    let name: string;
    if (this.eat('{')) {
      name = '';
      while (this.peek() !== undefined && this.peek() !== ch('}')) name += String.fromCodePoint(this.next());
      if (!this.eat('}')) throw new RegexSyntaxError('invalid character class range');
    } else {
      name = String.fromCodePoint(this.next());
    }
    let negated = c === ch('P');
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    const test = unicodeClass(name);
    return negated ? (x) => !test(x) : test;
  }

  /** One escaped character after the backslash: octal, hex, C escapes, or escaped punctuation. */
  private singleEscape(): number {
    const c = this.next();
    const s = String.fromCodePoint(c);
    if (s >= '1' && s <= '7' && !isOctal(this.peek())) throw new RegexSyntaxError('backreferences are not supported');
    if (s >= '0' && s <= '7') {
      let value = c - ch('0');
      for (let k = 0; k < 2 && isOctal(this.peek()); k++) value = value * 8 + (this.next() - ch('0'));
      return value;
    }
    if (s === 'x') return this.hexEscape();
    const simple: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
    if (s in simple) return simple[s];
    if (c < 0x80 && !/[A-Za-z0-9]/.test(s)) return c;
    throw new RegexSyntaxError(`invalid escape sequence \\${s}`);
  }

  private hexEscape(): number {
    let digits = '';
    if (this.eat('{')) {
      while (this.peek() !== undefined && this.peek() !== ch('}')) digits += String.fromCodePoint(this.next());
      if (!this.eat('}')) throw new RegexSyntaxError('invalid escape sequence \\x{');
    } else {
      for (let k = 0; k < 2; k++) digits += String.fromCodePoint(this.next());
    }
    const value = /^[0-9A-Fa-f]{1,8}$/.test(digits) ? parseInt(digits, 16) : Number.NaN;
    if (!(value <= 0x10ffff)) throw new RegexSyntaxError(`invalid escape sequence \\x${digits}`);
    return value;
  }

  /** After `[`. */
  private charClass(flags: Flags): CharTest {
    const negated = this.eat('^');
    const ranges: [number, number][] = [];
    const tests: CharTest[] = [];
    for (let first = true; ; first = false) {
      const c = this.peek();
      if (c === undefined) throw new RegexSyntaxError('missing closing ]');
      if (c === ch(']') && !first) {
        this.pos++;
        break;
      }
      const posix = this.posixClass();
      if (posix) {
        tests.push(posix);
        continue;
      }
      let lo: number;
      if (this.eat('\\')) {
        const cls = this.classEscape();
        if (cls) {
          tests.push(cls);
          continue;
        }
        lo = this.singleEscape();
      } else {
        lo = this.next();
      }
      let hi = lo;
      if (this.peek() === ch('-') && this.peek(1) !== undefined && this.peek(1) !== ch(']')) {
        this.pos++;
        hi = this.eat('\\') ? this.singleEscape() : this.next();
        if (hi < lo) throw new RegexSyntaxError('invalid character class range');
      }
      ranges.push([lo, hi]);
    }
    const member: CharTest = (x) => ranges.some(([lo, hi]) => x >= lo && x <= hi) || tests.some((t) => t(x));
    const folded = flags.i ? foldTest(member) : member;
    return negated ? (x) => !folded(x) : folded;
  }

  /** `[:alpha:]` or `[:^alpha:]` inside a class, or undefined when the text is not of that form. */
  private posixClass(): CharTest | undefined {
    if (this.peek() !== ch('[') || this.peek(1) !== ch(':')) return undefined;
    let text = '';
    for (let i = this.pos; i < this.cps.length && text.length < 16; i++) {
      text += String.fromCodePoint(this.cps[i]);
      if (text.endsWith(':]')) break;
    }
    const m = /^\[:(\^?)([a-z]+):\]$/.exec(text);
    if (!m) return undefined;
    const test = POSIX_CLASSES[m[2]];
    if (!test) throw new RegexSyntaxError(`invalid character class range [:${m[2]}:]`);
    this.pos += text.length;
    return m[1] ? (x) => !test(x) : test;
  }
}

function isOctal(c: number | undefined): boolean {
  return c !== undefined && c >= ch('0') && c <= ch('7');
}

function literal(cp: number, flags: Flags): RegexNode {
  if (!flags.i) return { type: 'char', test: (x) => x === cp };
  const target = fold(cp);
  return { type: 'char', test: (x) => x === cp || fold(x) === target };
}

function foldTest(test: CharTest): CharTest {
  return (x) => test(x) || test(fold(x)) || test(upper(x));
}
