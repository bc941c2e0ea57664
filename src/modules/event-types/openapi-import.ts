import { parse } from 'yaml';

export interface ImportedEventType {
  name: string;
  description: string;
  category: string;
  jsonSchema: Record<string, unknown> | null;
}

const MAX_SPEC_CHARS = 2 * 1024 * 1024;
const MAX_REF_DEPTH = 32;

/**
 * The event types an OpenAPI 3 document describes in its `webhooks` section (JSON or
 * YAML): one per webhook, named after it, with the operation's summary (or description),
 * first tag, and request body schema (`application/json`), local `$ref`s resolved.
 * Throws an Error whose message says what is wrong with the document.
 */
export function eventTypesFromOpenApi(spec: string): ImportedEventType[] {
  if (spec.length > MAX_SPEC_CHARS) throw new Error(`the document is larger than ${MAX_SPEC_CHARS} characters`);
  let doc: unknown;
  try {
    doc = parse(spec, { maxAliasCount: 100 });
  } catch (e) {
    throw new Error(`the document is neither JSON nor YAML: ${(e as Error).message}`);
  }
  if (!isObject(doc) || typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.')) throw new Error('the document is not OpenAPI 3 (no `openapi: 3.x`)');
  const webhooks = doc.webhooks;
  if (!isObject(webhooks) || Object.keys(webhooks).length === 0) throw new Error('the document has no `webhooks` section');
  const out: ImportedEventType[] = [];
  for (const [name, item] of Object.entries(webhooks)) {
    if (!isObject(item)) continue;
    const op = [item.post, item.put, item.patch, ...Object.values(item)].find(isObject);
    if (!op) continue;
    const content = isObject(op.requestBody) && isObject(op.requestBody.content) ? op.requestBody.content : {};
    const json = isObject(content['application/json']) ? content['application/json'] : undefined;
    const schema = json && isObject(json.schema) ? resolveRefs(json.schema, doc, 0) : null;
    const summary = typeof op.summary === 'string' ? op.summary : typeof op.description === 'string' ? op.description : '';
    const tag = Array.isArray(op.tags) && typeof op.tags[0] === 'string' ? op.tags[0] : '';
    out.push({ name, description: summary.slice(0, 2000), category: tag.slice(0, 200), jsonSchema: schema as Record<string, unknown> | null });
  }
  return out;
}

function resolveRefs(value: unknown, doc: Record<string, unknown>, depth: number): unknown {
  if (depth > MAX_REF_DEPTH) throw new Error('the schemas nest or refer to each other too deeply');
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, doc, depth + 1));
  if (!isObject(value)) return value;
  if (typeof value.$ref === 'string') {
    const target = lookup(doc, value.$ref);
    if (target === undefined) throw new Error(`${value.$ref} does not resolve in the document`);
    return resolveRefs(target, doc, depth + 1);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, doc, depth + 1)]));
}

function lookup(doc: Record<string, unknown>, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`only local references are supported, not ${ref}`);
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
