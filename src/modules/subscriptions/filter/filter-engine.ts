import { convoyEqual, deepEqual, isArrayOfObjects, isFlatLeaf, isPlainObject, numericValue } from './convoy-values';
import { compileConditions, Condition, Operator, WILDCARD } from './filter-compiler';
import { StepBudget, StepBudgetExceeded } from './linear-regex';

/**
 * Convoy's subscription filters: which events an endpoint receives, decided from the payload
 * (or the headers, query parameters, path) alone. Semantics follow Convoy's `pkg/flatten` +
 * `pkg/compare`, which compare the filter key by key against the payload flattened into
 * dotted keys; here the payload is walked along each path instead, with the same view of it
 * (`convoy-values.ts`):
 *
 * - Keys are paths, written dotted (`"data.user.id"`) or nested (`{"data": {"user": {"id": …}}}`);
 *   a payload key that itself contains dots is found too, as Convoy's flattening finds it.
 * - What a path reaches is compared only when Convoy's flattening keeps it: a scalar or null,
 *   an array of numbers, strings or booleans (kept whole), an empty object. Arrays of objects
 *   are entered by index (`items.0.price`) or by the `$` wildcard (`items.$.price`: any element,
 *   every operator of the condition for the same element; at most three per path, not last);
 *   arrays of scalars are not entered.
 * - `{"a": 1}` is equality; on an array it means "contains" (`{"tags": "x"}` matches
 *   `tags: ["x", "y"]`, by Go's `==`: no conversion); an array as the expected value matches
 *   nothing, as in Convoy. `$eq`/`$neq` and `$gt $gte $lt $lte` read numeric strings as numbers
 *   (`"5"` equals `5`, `"15"` is greater than `10`); a value that is not numeric fails the four
 *   comparisons. `$in $nin` test membership by `==` (a single operand: the payload array holds
 *   it), `$regex` searches strings (RE2 syntax, unanchored, linear time), `$exist` tests
 *   presence, `$and $or` combine (`$and: []` holds, `$or: []` does not).
 * - Conditions at one level are ANDed; `{}` (and no filter at all) matches everything; a level
 *   that names fields but tests none (`{"a": {}}`) matches nothing, as in Convoy.
 *
 * Where Convoy's code errors, panics or, by accident, lets through an event the filter
 * excludes, this fails closed instead:
 * - a field missing from the payload fails every operator except `{"$exist": false}` (Convoy
 *   skips conditions on missing keys unless none is left, so `{"a": 1, "b": 2}` passes a
 *   payload without `b`; `$exist: false` keeps the meaning Convoy's `exist` documents);
 * - `$exist: true` holds for objects and arrays of objects too (the meaning Convoy documents;
 *   its flattening has no key for them);
 * - `$lt` on a value that is not numeric fails, like `$gt`/`$gte` (Convoy computes `$lt` as
 *   "not `$gte`", so it holds for any string, and `$gt`/`$lte` error out);
 * - `$in` comparing objects or arrays uses deep equality (Go panics on `==` there); `$regex`
 *   on a non-string and a single `$in`/`$nin` operand on a non-array are errors in Convoy: no
 *   match here; a `$or`/`$and` under a field is relative to it (Convoy skips it);
 * - a payload key starting with `$` is an ordinary key (Convoy refuses to flatten the payload
 *   and fails the event).
 */

export { FILTER_LIMITS } from './filter-compiler';
export { MAX_REGEX_LENGTH } from './linear-regex';

/**
 * Work allowed for routing one event through all of its project's filters (path steps,
 * regex steps, and every value compared by equality, `$in`/`$nin` and array containment;
 * roughly 25 ns each, so about 25 ms at most). Past it the remaining filters do not match
 * (fail closed), and the cost falls on the project whose filters and payload spent it: no
 * filter can hold the event loop that every tenant shares. A tree-shaped payload under the
 * body limit stays far below it unless a regex runs over most of a very large payload.
 */
export const MAX_MATCH_STEPS = 1_000_000;

export interface CompiledFilter {
  readonly conditions: readonly Condition[];
}

export type FilterCompilation = { ok: true; filter: CompiledFilter } | { ok: false; problems: string[] };

const cache = new WeakMap<object, FilterCompilation>();

/** Problems with a filter, each saying where; empty means valid. */
export function validateFilter(filter: unknown): string[] {
  const compiled = compileFilter(filter);
  return compiled.ok ? [] : compiled.problems;
}

/** Whether `payload` passes `filter`, spending from `budget`. An invalid filter matches nothing. */
export function matchFilter(filter: unknown, payload: unknown, budget: StepBudget = matchBudget()): boolean {
  const compiled = compileFilter(filter);
  if (!compiled.ok) return false;
  return matchCompiled(compiled.filter, payload, budget);
}

/** Compiles once per filter object; callers that keep filters around can hold on to the result. */
export function compileFilter(filter: unknown): FilterCompilation {
  const key = typeof filter === 'object' && filter !== null ? filter : undefined;
  const hit = key && cache.get(key);
  if (hit) return hit;
  const result = compileConditions(filter);
  const compiled: FilterCompilation = result.ok ? { ok: true, filter: { conditions: result.conditions } } : result;
  if (key) cache.set(key, compiled);
  return compiled;
}

/** A fresh allowance for one event (or one test_filter call), shared by every filter it meets. */
export function matchBudget(): StepBudget {
  return { remaining: MAX_MATCH_STEPS };
}

export function matchCompiled(filter: CompiledFilter, payload: unknown, budget: StepBudget = matchBudget()): boolean {
  if (filter.conditions.length === 0) return true;
  if (budget.remaining < 0) return false;
  try {
    return allHold(filter.conditions, payload, budget);
  } catch (e) {
    if (e instanceof StepBudgetExceeded) return false;
    throw e;
  }
}

function allHold(conditions: readonly Condition[], root: unknown, budget: StepBudget): boolean {
  return conditions.every((c) => holds(c, root, budget));
}

function holds(condition: Condition, root: unknown, budget: StepBudget): boolean {
  switch (condition.kind) {
    case 'and':
      return condition.branches.every((b) => allHold(b, root, budget));
    case 'or':
      return condition.branches.some((b) => allHold(b, root, budget));
    case 'field': {
      const { ops, path } = condition;
      const outcome = visit(root, path, budget, (v) => ops.every((op) => test(op, v, budget)));
      // under a wildcard only the elements that have the field count; with none, nothing holds
      if (outcome === 'absent') return !path.includes(WILDCARD) && ops.every((op) => op.op === '$exist' && !op.value);
      return outcome === 'accepted';
    }
  }
}

function test(op: Operator, value: unknown, budget: StepBudget): boolean {
  if (op.op === '$exist') return op.value;
  // what Convoy's flattening does not keep (a non-empty object, an array of objects) is not there to compare
  if (!isFlatLeaf(value)) return false;
  switch (op.op) {
    case 'implicit':
      if (Array.isArray(op.value)) return false;
      if (Array.isArray(value)) return value.some((e) => deepEqual(e, op.value, budget));
      return convoyEqual(value, op.value, budget);
    case '$eq':
      return convoyEqual(value, op.value, budget);
    case '$neq':
      return !convoyEqual(value, op.value, budget);
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      const n = numericValue(value);
      if (n === undefined) return false;
      return op.op === '$gt' ? n > op.value : op.op === '$gte' ? n >= op.value : op.op === '$lt' ? n < op.value : n <= op.value;
    }
    case '$in':
    case '$nin': {
      if (op.single && !Array.isArray(value)) return false;
      const found = op.single ? (value as unknown[]).some((e) => deepEqual(e, op.values[0], budget)) : op.values.some((x) => deepEqual(value, x, budget));
      return op.op === '$in' ? found : !found;
    }
    case '$regex':
      return typeof value === 'string' && op.regex.test(value, budget);
  }
}

/**
 * Offers every value at `path` to `accept` until one is accepted. Objects are entered by key,
 * where a key may span several dotted segments (payload `{"a.b": 1}` is reached by `a.b`, as
 * after Convoy's flattening); arrays of objects by index or by the wildcard, their object
 * elements only. Iterative, and each step is charged to the budget.
 */
function visit(root: unknown, path: readonly string[], budget: StepBudget, accept: (value: unknown) => boolean): 'accepted' | 'rejected' | 'absent' {
  const nodes: unknown[] = [root];
  const depths: number[] = [0];
  let found = false;
  while (nodes.length > 0) {
    const node = nodes.pop();
    const i = depths.pop() as number;
    if (--budget.remaining < 0) throw new StepBudgetExceeded();
    if (i === path.length) {
      if (accept(node)) return 'accepted';
      found = true;
      continue;
    }
    const segment = path[i];
    if (Array.isArray(node)) {
      // Convoy's flattening gives index keys only to the object elements of an array of objects
      if (!isArrayOfObjects(node)) continue;
      if (segment === WILDCARD) {
        for (let k = node.length - 1; k >= 0; k--) {
          if (!isPlainObject(node[k])) continue;
          nodes.push(node[k]);
          depths.push(i + 1);
        }
      } else if (ARRAY_INDEX.test(segment) && Number(segment) < node.length && isPlainObject(node[Number(segment)])) {
        nodes.push(node[Number(segment)]);
        depths.push(i + 1);
      }
      continue;
    }
    if (!isPlainObject(node)) continue;
    let key = '';
    for (let j = i; j < path.length && path[j] !== WILDCARD; j++) {
      key = j === i ? path[j] : `${key}.${path[j]}`;
      if (Object.hasOwn(node, key)) {
        nodes.push(node[key]);
        depths.push(j + 1);
      }
    }
  }
  return found ? 'rejected' : 'absent';
}

const ARRAY_INDEX = /^(?:0|[1-9]\d{0,8})$/;
