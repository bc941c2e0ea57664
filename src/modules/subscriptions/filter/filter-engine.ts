import { compileConditions, Condition, isPlainObject, Operator, WILDCARD } from './filter-compiler';
import { StepBudget, StepBudgetExceeded } from './linear-regex';

/**
 * Convoy's subscription filters: which events an endpoint receives, decided from the payload
 * (or the headers) alone. Semantics follow Convoy's `pkg/flatten` + `pkg/compare` and its
 * filter documentation:
 *
 * - Keys are paths, written dotted (`"data.user.id"`) or nested (`{"data": {"user": {"id": …}}}`);
 *   a payload key that itself contains dots is found too, as Convoy's flattening finds it.
 * - `{"a": 1}` is equality; when the payload value is an array it means "contains"
 *   (`{"tags": "x"}` matches `tags: ["x", "y"]`).
 * - `$` is the array wildcard (`"items.$.price": {"$gt": 10}`): the condition holds when it holds
 *   for any element, every operator of it for the same element. At most three per path; a path
 *   may not end with it. Arrays are otherwise only entered by index (`items.0.price`).
 * - Operators: `$eq $neq` (deep equality), `$gt $gte $lt $lte` (numbers only), `$in $nin`,
 *   `$regex` (RE2 syntax, unanchored, linear time), `$exist`, `$and $or`.
 * - A field missing from the payload fails every operator except `{"$exist": false}` (Convoy's
 *   current behaviour: `$neq` does not match an absent field).
 * - Keys at one level are ANDed; `{}` (and no filter at all) matches everything.
 *
 * Where Convoy's code errs or panics, this picks the evident intent: `$in` with an array payload
 * matches when any element is listed; several operators on one field are all applied; an array
 * filter value means an equal array (or an element equal to it).
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
      const { ops } = condition;
      const outcome = visit(root, condition.path, budget, (v) => ops.every((op) => test(op, v, budget)));
      if (outcome === 'absent') return ops.every((op) => op.op === '$exist' && !op.value);
      return outcome === 'accepted';
    }
  }
}

function test(op: Operator, value: unknown, budget: StepBudget): boolean {
  switch (op.op) {
    case 'implicit':
      if (!Array.isArray(value)) return deepEqual(value, op.value, budget);
      return (Array.isArray(op.value) && deepEqual(value, op.value, budget)) || value.some((e) => deepEqual(e, op.value, budget));
    case '$eq':
      return deepEqual(value, op.value, budget);
    case '$neq':
      return !deepEqual(value, op.value, budget);
    case '$gt':
      return typeof value === 'number' && value > op.value;
    case '$gte':
      return typeof value === 'number' && value >= op.value;
    case '$lt':
      return typeof value === 'number' && value < op.value;
    case '$lte':
      return typeof value === 'number' && value <= op.value;
    case '$in':
      return isIn(value, op.values, budget);
    case '$nin':
      return !isIn(value, op.values, budget);
    case '$regex':
      return typeof value === 'string' && op.regex.test(value, budget);
    case '$exist':
      return op.value;
  }
}

function isIn(value: unknown, listed: readonly unknown[], budget: StepBudget): boolean {
  if (listed.some((x) => deepEqual(value, x, budget))) return true;
  return Array.isArray(value) && value.some((e) => listed.some((x) => deepEqual(e, x, budget)));
}

/**
 * Offers every value at `path` to `accept` until one is accepted. Objects are entered by key,
 * where a key may span several dotted segments (payload `{"a.b": 1}` is reached by `a.b`, as
 * after Convoy's flattening); arrays by index or by the wildcard. Iterative, and each step is
 * charged to the budget.
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
      if (segment === WILDCARD) {
        for (let k = node.length - 1; k >= 0; k--) {
          nodes.push(node[k]);
          depths.push(i + 1);
        }
      } else if (ARRAY_INDEX.test(segment) && Number(segment) < node.length) {
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

/**
 * JSON deep equality, each value compared charged to the budget (a string by its length),
 * so a long `$in` list against a large array cannot run unbounded. The filter side is
 * bounded in depth, so the recursion is too.
 */
function deepEqual(a: unknown, b: unknown, budget: StepBudget): boolean {
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
