import { WORD } from './regex-charsets';
import { AssertKind, CharTest, parseRegex, RegexNode, RegexSyntaxError } from './regex-syntax';

/**
 * A Thompson-NFA matcher (Pike VM without captures) for filter regexes.
 *
 * JavaScript's RegExp backtracks: `\d+\d+\d+x` against a thousand digits runs for over a
 * minute, and a subscription filter is written by a tenant while the payload is written by
 * whoever sends events. Convoy runs `$regex` on Go's RE2, which guarantees time linear in the
 * subject; this does the same, so a filter cannot stall the router, and the dialect (RE2
 * syntax, unanchored search, `.` not matching newline) is the one Convoy users wrote against.
 */

export const MAX_REGEX_LENGTH = 512;
/** Instructions after counted repetitions are expanded; RE2 refuses oversized programs as well. */
export const MAX_PROGRAM_SIZE = 5000;

/** Shared work allowance; matching throws {@link StepBudgetExceeded} once it is spent. */
export interface StepBudget {
  remaining: number;
}

export class StepBudgetExceeded extends Error {
  constructor() {
    super('regex evaluation exceeded its step budget');
  }
}

type Inst =
  | { op: 'char'; test: CharTest; next: number }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  | { op: 'assert'; kind: AssertKind; next: number }
  | { op: 'match' };

export class LinearRegex {
  private constructor(
    readonly source: string,
    private readonly program: readonly Inst[],
    private readonly start: number,
  ) {}

  /** Compiles RE2 syntax; throws RegexSyntaxError with a message fit for the API caller. */
  static compile(source: string): LinearRegex {
    if (source.length > MAX_REGEX_LENGTH) throw new RegexSyntaxError(`longer than ${MAX_REGEX_LENGTH} characters`);
    const compiler = new Compiler();
    const frag = compiler.compile(parseRegex(source));
    compiler.patch(frag.out, compiler.emit({ op: 'match' }));
    return new LinearRegex(source, compiler.insts, frag.start);
  }

  /** Whether the pattern matches anywhere in `subject` (Go's MatchString). */
  test(subject: string, budget: StepBudget = { remaining: Number.POSITIVE_INFINITY }): boolean {
    const size = this.program.length;
    const marks = new Int32Array(size).fill(-1);
    let current = new Int32Array(size);
    let next = new Int32Array(size);
    let currentCount = 0;
    const stack: number[] = [];

    // Adds pc and everything reachable from it without consuming input to `list`. `mark` is
    // the string offset the list is for, so each pc enters each list at most once.
    const addThread = (list: Int32Array, count: number, pc0: number, mark: number, prev: number, following: number): number => {
      stack.push(pc0);
      while (stack.length > 0) {
        const pc = stack.pop() as number;
        if (marks[pc] === mark) continue;
        marks[pc] = mark;
        if (--budget.remaining < 0) throw new StepBudgetExceeded();
        const inst = this.program[pc];
        switch (inst.op) {
          case 'jmp':
            stack.push(inst.x);
            break;
          case 'split':
            stack.push(inst.y, inst.x);
            break;
          case 'assert':
            if (holds(inst.kind, prev, following)) stack.push(inst.next);
            break;
          case 'match':
            stack.length = 0;
            return -1;
          case 'char':
            list[count++] = pc;
            break;
        }
      }
      return count;
    };

    let pos = 0;
    let prev = -1;
    for (;;) {
      const cp = pos < subject.length ? (subject.codePointAt(pos) as number) : -1;
      // a fresh thread at every offset is what makes this a search rather than an anchored match
      currentCount = addThread(current, currentCount, this.start, pos, prev, cp);
      if (currentCount < 0) return true;
      if (cp < 0) return false;

      const width = cp > 0xffff ? 2 : 1;
      const after = pos + width < subject.length ? (subject.codePointAt(pos + width) as number) : -1;
      let nextCount = 0;
      for (let k = 0; k < currentCount; k++) {
        const inst = this.program[current[k]] as Extract<Inst, { op: 'char' }>;
        if (--budget.remaining < 0) throw new StepBudgetExceeded();
        if (!inst.test(cp)) continue;
        nextCount = addThread(next, nextCount, inst.next, pos + width, cp, after);
        if (nextCount < 0) return true;
      }
      [current, next] = [next, current];
      currentCount = nextCount;
      prev = cp;
      pos += width;
    }
  }
}

function holds(kind: AssertKind, prev: number, following: number): boolean {
  switch (kind) {
    case 'text_start':
      return prev < 0;
    case 'text_end':
      return following < 0;
    case 'line_start':
      return prev < 0 || prev === 0x0a;
    case 'line_end':
      return following < 0 || following === 0x0a;
    case 'word_boundary':
      return isWord(prev) !== isWord(following);
    case 'not_word_boundary':
      return isWord(prev) === isWord(following);
  }
}

function isWord(cp: number): boolean {
  return cp >= 0 && WORD(cp);
}

interface Fragment {
  start: number;
  /** Places still pointing nowhere, to be aimed at whatever follows the fragment. */
  out: ((pc: number) => void)[];
}

class Compiler {
  readonly insts: Inst[] = [];

  emit(inst: Inst): number {
    if (this.insts.length >= MAX_PROGRAM_SIZE) throw new RegexSyntaxError('expression too large');
    this.insts.push(inst);
    return this.insts.length - 1;
  }

  patch(out: Fragment['out'], pc: number): void {
    for (const aim of out) aim(pc);
  }

  compile(node: RegexNode): Fragment {
    switch (node.type) {
      case 'empty':
        return this.nop();
      case 'char': {
        const inst: Inst = { op: 'char', test: node.test, next: -1 };
        return { start: this.emit(inst), out: [(pc) => (inst.next = pc)] };
      }
      case 'assert': {
        const inst: Inst = { op: 'assert', kind: node.kind, next: -1 };
        return { start: this.emit(inst), out: [(pc) => (inst.next = pc)] };
      }
      case 'concat':
        return this.sequence(node.items.map((item) => () => this.compile(item)));
      case 'alternate': {
        const frags = node.items.map((item) => this.compile(item));
        let start = frags[frags.length - 1].start;
        for (let k = frags.length - 2; k >= 0; k--) start = this.emit({ op: 'split', x: frags[k].start, y: start });
        return { start, out: frags.flatMap((f) => f.out) };
      }
      case 'repeat':
        return this.repeat(node.item, node.min, node.max);
    }
  }

  private nop(): Fragment {
    const inst: Inst = { op: 'jmp', x: -1 };
    return { start: this.emit(inst), out: [(pc) => (inst.x = pc)] };
  }

  private sequence(parts: (() => Fragment)[]): Fragment {
    if (parts.length === 0) return this.nop();
    const first = parts[0]();
    let out = first.out;
    for (const part of parts.slice(1)) {
      const f = part();
      this.patch(out, f.start);
      out = f.out;
    }
    return { start: first.start, out };
  }

  /** x{min,max}: min copies, then either a loop or (max - min) nested optional copies. */
  private repeat(item: RegexNode, min: number, max: number): Fragment {
    const parts: (() => Fragment)[] = Array.from({ length: min }, () => () => this.compile(item));
    if (max === Infinity) parts.push(() => this.star(item));
    else if (max > min) parts.push(() => this.optionalChain(item, max - min));
    return this.sequence(parts);
  }

  private star(item: RegexNode): Fragment {
    const split: Inst = { op: 'split', x: -1, y: -1 };
    const start = this.emit(split);
    const body = this.compile(item);
    split.x = body.start;
    this.patch(body.out, start);
    return { start, out: [(pc) => (split.y = pc)] };
  }

  /** `(x(x(x)?)?)?` for `count` copies. */
  private optionalChain(item: RegexNode, count: number): Fragment {
    const split: Inst = { op: 'split', x: -1, y: -1 };
    const start = this.emit(split);
    const body = this.compile(item);
    split.x = body.start;
    const out: Fragment['out'] = [(pc) => (split.y = pc)];
    if (count === 1) return { start, out: [...out, ...body.out] };
    const rest = this.optionalChain(item, count - 1);
    this.patch(body.out, rest.start);
    return { start, out: [...out, ...rest.out] };
  }
}

export { RegexSyntaxError };
