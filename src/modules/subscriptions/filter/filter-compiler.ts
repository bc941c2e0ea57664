import { isArrayOfObjects, isPlainObject, numericValue } from './convoy-values';
import { LinearRegex, MAX_REGEX_LENGTH, RegexSyntaxError } from './linear-regex';

/**
 * Turns a Convoy subscription filter document into conditions, collecting every problem.
 *
 * Convoy flattens both the filter and the payload into dotted keys (`pkg/flatten`) and
 * compares key by key (`pkg/compare`). Here the filter is flattened into conditions and the
 * payload is walked along each condition's path instead, which gives the same answers for
 * well-formed filters while never materialising a flattened copy of a large payload.
 */

export type ComparisonOperator = '$eq' | '$neq' | '$gt' | '$gte' | '$lt' | '$lte' | '$in' | '$nin' | '$regex' | '$exist';
export const COMPARISON_OPERATORS: readonly ComparisonOperator[] = ['$eq', '$neq', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$regex', '$exist'];

export type Operator =
  | { op: 'implicit'; value: unknown }
  | { op: '$eq' | '$neq'; value: unknown }
  | { op: '$gt' | '$gte' | '$lt' | '$lte'; value: number }
  /** `single`: the operand was one value, not a list: the payload must be an array holding it */
  | { op: '$in' | '$nin'; values: readonly unknown[]; single: boolean }
  | { op: '$regex'; regex: LinearRegex }
  | { op: '$exist'; value: boolean };

export type Condition =
  /** Every operator must hold for one and the same value found at `path`. */
  { kind: 'field'; path: readonly string[]; ops: readonly Operator[] } | { kind: 'or' | 'and'; branches: readonly (readonly Condition[])[] };

/** The array wildcard segment: `items.$.price` looks at the price of every element of items. */
export const WILDCARD = '$';

export const FILTER_LIMITS = {
  /** Nesting of objects and arrays in the filter document. */
  maxDepth: 32,
  /** Keys plus array elements in the whole document. */
  maxNodes: 1000,
  maxPathSegments: 32,
  /** Convoy documents (and enforces) at most three `$` wildcards in one path. */
  maxWildcards: 3,
  maxKeyLength: 256,
  maxRegexLength: MAX_REGEX_LENGTH,
  /** Characters of every key and string value in the document together. */
  maxChars: 64 * 1024,
} as const;

const MAX_PROBLEMS = 20;

export type CompileResult = { ok: true; conditions: readonly Condition[] } | { ok: false; problems: string[] };

export function compileConditions(filter: unknown): CompileResult {
  if (filter === undefined || filter === null) return { ok: true, conditions: [] };
  if (!isPlainObject(filter)) return { ok: false, problems: ['filter must be a JSON object'] };

  const shape = documentProblem(filter);
  if (shape) return { ok: false, problems: [shape] };

  const problems: string[] = [];
  const conditions = parseLevel(filter, [], 'filter', problems);
  return problems.length > 0 ? { ok: false, problems: problems.slice(0, MAX_PROBLEMS) } : { ok: true, conditions };
}

/** Size, depth and JSON-ness, checked without recursion before anything recurses. */
function documentProblem(filter: Record<string, unknown>): string | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value: filter, depth: 0 }];
  let nodes = 0;
  let chars = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof value === 'string') {
      chars += value.length;
      if (chars > FILTER_LIMITS.maxChars) return `filter has more than ${FILTER_LIMITS.maxChars} characters of keys and strings`;
      continue;
    }
    if (value === null || typeof value === 'boolean') continue;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return 'filter numbers must be finite';
      continue;
    }
    const children = Array.isArray(value) ? (value as unknown[]) : isPlainObject(value) ? Object.values(value) : undefined;
    if (!children) return 'filter must contain only JSON values';
    if (depth + 1 > FILTER_LIMITS.maxDepth) return `filter is nested deeper than ${FILTER_LIMITS.maxDepth} levels`;
    nodes += children.length;
    if (!Array.isArray(value)) for (const k of Object.keys(value as object)) chars += k.length;
    if (chars > FILTER_LIMITS.maxChars) return `filter has more than ${FILTER_LIMITS.maxChars} characters of keys and strings`;
    if (nodes > FILTER_LIMITS.maxNodes) return `filter has more than ${FILTER_LIMITS.maxNodes} keys and array elements`;
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
  return undefined;
}

/** Never holds: what a level of the filter compiles to when it names fields but tests none. */
const NEVER: Condition = { kind: 'or', branches: [] };

/**
 * A level Convoy compares on its own: the whole filter, or one `$or`/`$and` entry. Convoy
 * ANDs the tests a level produces and, when it produced none (only empty objects, say
 * `{"a": {}}`), does not match, while an empty level (`{}`) matches everything.
 */
function parseLevel(obj: Record<string, unknown>, prefix: readonly string[], where: string, problems: string[]): Condition[] {
  const conditions = parseObject(obj, prefix, where, problems);
  return conditions.length === 0 && Object.keys(obj).length > 0 ? [NEVER] : conditions;
}

function parseObject(obj: Record<string, unknown>, prefix: readonly string[], where: string, problems: string[]): Condition[] {
  const conditions: Condition[] = [];
  const ops: Operator[] = [];

  for (const [key, value] of Object.entries(obj)) {
    if (problems.length >= MAX_PROBLEMS) break;
    const at = where === 'filter' ? key : `${where}.${key}`;

    if (key.length > FILTER_LIMITS.maxKeyLength) {
      problems.push(`${where}: key longer than ${FILTER_LIMITS.maxKeyLength} characters`);
      continue;
    }

    if (isOperatorKey(key)) {
      if (key === '$or' || key === '$and') {
        const branches = parseBranches(key, value, prefix, at, problems);
        if (branches) conditions.push({ kind: key === '$or' ? 'or' : 'and', branches });
      } else if ((COMPARISON_OPERATORS as readonly string[]).includes(key)) {
        if (prefix.length === 0) {
          problems.push(`${key} must be applied to a field, e.g. {"amount": {"${key}": …}}`);
          continue;
        }
        const op = parseOperand(key as ComparisonOperator, value, at, problems);
        if (op) ops.push(op);
      } else {
        problems.push(`${at}: ${key} starts with a $ and is not a valid operator`);
      }
      continue;
    }

    const segments = key.split('.');
    if (segments.some((s) => s.length === 0)) {
      problems.push(`${at}: empty segment in path (check for doubled, leading or trailing dots)`);
      continue;
    }
    conditions.push(...parseValue(value, [...prefix, ...segments], at, problems));
  }

  if (ops.length > 0) {
    const field = fieldCondition(prefix, ops, where, problems);
    if (field) conditions.push(field);
  }
  return conditions;
}

/** What a field key maps to: nested filter, positional array of filters, or an implicit equality. */
function parseValue(value: unknown, path: string[], at: string, problems: string[]): Condition[] {
  if (isPlainObject(value)) {
    // Convoy's flattening keeps `{"a": {}}` as a key with no test in it: it constrains nothing
    if (Object.keys(value).length === 0) return [];
    return parseObject(value, path, at, problems);
  }

  // Convoy flattens an array that does not start with a number, string or boolean into index
  // keys (`items.0.id`) for its object elements and drops the rest, so each object constrains
  // the payload element at the same position
  if (Array.isArray(value) && isArrayOfObjects(value)) {
    return value.flatMap((element, index) => (isPlainObject(element) ? parseValue(element, [...path, String(index)], `${at}.${index}`, problems) : []));
  }

  const field = fieldCondition(path, [{ op: 'implicit', value }], at, problems);
  return field ? [field] : [];
}

function fieldCondition(path: readonly string[], ops: Operator[], at: string, problems: string[]): Condition | undefined {
  if (path[path.length - 1] === WILDCARD) {
    problems.push(`${at}: invalid filter syntax, a path cannot end with the $ array wildcard`);
    return undefined;
  }
  if (path.length > FILTER_LIMITS.maxPathSegments) {
    problems.push(`${at}: path has more than ${FILTER_LIMITS.maxPathSegments} segments`);
    return undefined;
  }
  const wildcards = path.filter((s) => s === WILDCARD).length;
  if (wildcards > FILTER_LIMITS.maxWildcards) {
    problems.push(`${at}: too many $ array wildcards, expected at most ${FILTER_LIMITS.maxWildcards} but got ${wildcards}`);
    return undefined;
  }
  return { kind: 'field', path, ops };
}

function parseBranches(key: '$or' | '$and', value: unknown, prefix: readonly string[], at: string, problems: string[]): Condition[][] | undefined {
  // empty is allowed, as Convoy allows it: `$and: []` always holds, `$or: []` never does
  if (!Array.isArray(value)) {
    problems.push(`${at}: the value of ${key} must be an array of filter objects`);
    return undefined;
  }
  const branches: Condition[][] = [];
  value.forEach((branch: unknown, index) => {
    if (!isPlainObject(branch)) {
      problems.push(`${at}[${index}]: each ${key} entry must be a filter object`);
      return;
    }
    // a branch under a field (`{"data": {"$or": [...]}}`) is relative to that field
    branches.push(parseLevel(branch, prefix, `${at}[${index}]`, problems));
  });
  return branches;
}

function parseOperand(key: ComparisonOperator, value: unknown, at: string, problems: string[]): Operator | undefined {
  switch (key) {
    case '$eq':
    case '$neq':
      return { op: key, value };
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      // Convoy reads the operand as Go reads a float: a number or a numeric string
      const n = numericValue(value);
      if (n !== undefined) return { op: key, value: n };
      problems.push(`${at}: ${key} needs a number`);
      return undefined;
    }
    case '$in':
    case '$nin':
      // a single value means "the payload array contains it", as Convoy accepts
      if (Array.isArray(value)) return { op: key, values: value, single: false };
      if (!isPlainObject(value)) return { op: key, values: [value], single: true };
      problems.push(`${at}: ${key} needs an array of values`);
      return undefined;
    case '$exist':
      if (typeof value === 'boolean') return { op: key, value };
      problems.push(`${at}: $exist needs true or false`);
      return undefined;
    case '$regex':
      if (typeof value !== 'string') {
        problems.push(`${at}: $regex needs a string`);
        return undefined;
      }
      try {
        return { op: key, regex: LinearRegex.compile(value) };
      } catch (e) {
        if (!(e instanceof RegexSyntaxError)) throw e;
        problems.push(`${at}: invalid $regex: ${e.message}`);
        return undefined;
      }
  }
}

/** `$or`, `$gt`, … are operators; `$` alone and `$.x` are array-wildcard paths. */
function isOperatorKey(key: string): boolean {
  return key.startsWith('$') && key !== WILDCARD && !key.startsWith('$.');
}

export { isPlainObject };
