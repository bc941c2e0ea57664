import { StepBudget, StepBudgetExceeded } from './linear-regex';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * How Convoy's filters see JSON values. Convoy flattens the payload into dotted keys before
 * comparing (`pkg/flatten`), so only some values are there to compare: scalars and null,
 * arrays whose first element is a number, string or boolean (or empty arrays), kept whole,
 * and empty objects. A non-empty object is reached only through its keys, and an array of
 * anything else only through the object elements it holds, by index.
 */
export function isFlatLeaf(v: unknown): boolean {
  if (Array.isArray(v)) return !isArrayOfObjects(v);
  if (isPlainObject(v)) {
    for (const k in v) if (Object.hasOwn(v, k)) return false;
    return true;
  }
  return true;
}

/** Whether Convoy expands the array into index keys (`items.0.…`) rather than keeping it whole. */
export function isArrayOfObjects(v: readonly unknown[]): boolean {
  if (v.length === 0) return false;
  const first = v[0];
  return typeof first !== 'number' && typeof first !== 'string' && typeof first !== 'boolean';
}

const DECIMAL = /^[+-]?(?=\.?[0-9])[0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?$/;
const HEX = /^([+-]?)0[xX]((?=_?\.?[0-9a-fA-F])[0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?)[pP]([+-]?[0-9_]+)$/;
const INFINITY = /^[+-]?(?:inf|infinity)$/i;

/**
 * Go's `strconv.ParseFloat(s, 64)`, which Convoy applies to both sides of `$eq`, `$neq`, `$gt`,
 * `$gte`, `$lt` and `$lte`: decimal and hexadecimal (`0x1p-2`) float literals, `_` between
 * digits, `Inf`/`Infinity`/`NaN` in any case. Undefined where Go reports an error, which
 * includes values out of range (`1e400`), surrounding spaces and hex without a `p` exponent.
 */
export function parseGoFloat(s: string): number | undefined {
  if (s.length === 0 || s.length > 400) return undefined;
  if (INFINITY.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return Number.NaN;
  if (s.includes('_') && !underscoresSeparateDigits(s)) return undefined;
  const plain = s.replace(/_/g, '');
  let value: number;
  const hex = HEX.exec(s);
  if (hex) {
    const [mantissa, exponent] = [hex[2].replace(/_/g, ''), Number(hex[3].replace(/_/g, ''))];
    const [whole, fraction = ''] = mantissa.split('.');
    const digits = (whole + fraction).replace(/^0+(?=.)/, '') || '0';
    value = Number(BigInt(`0x${digits}`)) * 2 ** (exponent - 4 * fraction.length);
    if (hex[1] === '-') value = -value;
  } else if (DECIMAL.test(s)) {
    value = Number(plain);
  } else {
    return undefined;
  }
  return Number.isFinite(value) ? value : undefined;
}

/** Go's rule for `_` in number literals: only between digits (a base prefix counts as one). */
function underscoresSeparateDigits(s: string): boolean {
  let rest = s[0] === '+' || s[0] === '-' ? s.slice(1) : s;
  let saw: 'start' | 'digit' | '_' | 'other' = 'start';
  let hex = false;
  if (rest.length >= 2 && rest[0] === '0' && /[xX]/.test(rest[1])) {
    rest = rest.slice(2);
    saw = 'digit';
    hex = true;
  }
  for (const c of rest) {
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) saw = 'digit';
    else if (c === '_') {
      if (saw !== 'digit') return false;
      saw = '_';
    } else {
      if (saw === '_') return false;
      saw = 'other';
    }
  }
  return saw !== '_';
}

/** Convoy's `toFloat64`: a number, or a string Go reads as one; anything else is not numeric. */
export function numericValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return parseGoFloat(v);
  return undefined;
}

/**
 * Convoy's `$eq` (and implicit equality on a value that is not an array): each side that is
 * numeric, numeric strings included, counts as that number (`"5"` equals `5` and `"5.0"`;
 * `NaN` equals nothing), everything else is compared deeply as JSON.
 */
export function convoyEqual(a: unknown, b: unknown, budget: StepBudget): boolean {
  const na = numericValue(a);
  const nb = numericValue(b);
  return deepEqual(na ?? a, nb ?? b, budget);
}

/**
 * JSON deep equality, each value compared charged to the budget (a string by its length), so
 * a long `$in` list against a large array cannot run unbounded. The filter side is bounded in
 * depth, so the recursion is too. Numbers equal by value; no type converts into another (this
 * is Go's `==`, which Convoy's `$in` and array containment use).
 */
export function deepEqual(a: unknown, b: unknown, budget: StepBudget): boolean {
  budget.remaining -= typeof a === 'string' && typeof b === 'string' ? 1 + (Math.min(a.length, b.length) >> 5) : 1;
  if (budget.remaining < 0) throw new StepBudgetExceeded();
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, k) => deepEqual(x, b[k], budget));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], budget))
  );
}
