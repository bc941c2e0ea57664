import Ajv, { ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * The contract test: every JSON answer an end-to-end suite receives from a route that
 * Convoy's OpenAPI document describes is checked against Convoy's response schema for that
 * route and status. Caravan may add fields; every field Convoy describes must be there
 * with Convoy's type, except those in MAY_BE_ABSENT. `null` is accepted for any field:
 * Convoy's Go null types serialise as null where its document says only the type.
 */
interface Route {
  method: string;
  pattern: RegExp;
  /** literal segments: the more, the more specific */
  literals: number;
  template: string;
  validators: Map<number, ValidateFunction>;
}

const SPEC_FILE = join(__dirname, '..', '..', 'test', 'fixtures', 'convoy-openapi3.json');

let routes: Route[] | undefined;

/**
 * Fields of Convoy's schemas an answer may leave out, with the reason. Most are
 * `omitempty` in Convoy's own Go types, so Convoy leaves them out too; the rest are
 * deliberate (see the README's "Differences from Convoy").
 */
const MAY_BE_ABSENT: Record<string, Record<string, string>> = {
  'datastore.PaginationData': { total: 'omitempty in Convoy; Caravan pages by cursor without counting' },
  'models.EndpointResponse': {
    events: 'omitempty in Convoy',
    teams_webhook_url: 'omitempty in Convoy',
    mtls_client_cert: 'omitempty in Convoy',
  },
  'datastore.Endpoint': {
    events: 'omitempty in Convoy',
    teams_webhook_url: 'omitempty in Convoy',
    mtls_client_cert: 'omitempty in Convoy',
    secrets: 'endpoint_metadata travels in every delivery and event answer: Caravan leaves the secrets out',
    authentication: 'as secrets',
  },
  'models.EventResponse': { app_id: 'omitempty in Convoy (deprecated)', source_metadata: 'omitempty in Convoy' },
  'models.EventDeliveryResponse': { source_metadata: 'omitempty in Convoy' },
  'models.SubscriptionResponse': { retry_config: 'omitempty in Convoy', device_metadata: 'omitempty in Convoy' },
  'datastore.DeliveryAttempt': { deleted_at: 'omitempty in Convoy', updated_at: 'omitempty in Convoy' },
  'datastore.ProjectConfig': {
    request_id_header: 'omitempty in Convoy',
    allow_unmatched_dynamic_urls: 'Caravan has no endpoint URL templates: every dynamic URL finds or creates its endpoint',
    verify_dynamic_events: 'Caravan always resolves a dynamic event before it answers 201',
  },
  'models.ProjectResponse': { retained_events: 'no retention counter yet' },
  'datastore.Role': { app: 'omitempty in Convoy' },
  'datastore.OAuth2SigningKey': {
    ...Object.fromEntries(['d', 'p', 'q', 'dp', 'dq', 'qi'].map((f) => [f, 'the private key is sealed at rest and never returned'])),
    ...Object.fromEntries(['crv', 'x', 'y', 'n', 'e'].map((f) => [f, 'omitempty in Convoy (EC keys have no n/e, RSA keys no crv/x/y)'])),
  },
  'models.TestOAuth2Response': Object.fromEntries(['access_token', 'token_type', 'expires_at', 'error', 'message'].map((f) => [f, 'omitempty in Convoy'])),
  'datastore.MetaEventConfiguration': { secret: 'write-only in Caravan: sealed at rest and never echoed back' },
  'datastore.HMac': { secret: "write-only in Caravan: a source's secrets are sealed at rest and never echoed back" },
  // shared with endpoints' authentication, whose answers still carry them as Convoy's do
  'datastore.BasicAuth': { password: "write-only in a source's verifier, as datastore.HMac secret" },
  'datastore.ApiKey': { header_value: "write-only in a source's verifier, as datastore.HMac secret" },
  'datastore.SQSPubSubConfig': { secret_key: 'write-only in a pub/sub source, as datastore.HMac secret' },
  'datastore.GooglePubSubConfig': { service_account: 'write-only in a pub/sub source, as datastore.HMac secret' },
  'datastore.KafkaAuth': { password: 'write-only in a pub/sub source, as datastore.HMac secret' },
  'datastore.AmqpCredentials': { password: 'write-only in a pub/sub source, as datastore.HMac secret' },
  'datastore.Metadata': {
    data: "a delivery answer leaves the payload out (a page would carry every one): the event's answer has it",
    raw: 'as data',
  },
  // a delivery's event_metadata: Convoy's Event, most of whose fields are omitempty; Caravan
  // leaves the payload out (a page of deliveries would carry every one)
  'datastore.Event': Object.fromEntries(
    [
      'source_id',
      'app_id',
      'project_id',
      'endpoint_metadata',
      'source_metadata',
      'data',
      'raw',
      'failure_reason',
      'acknowledged_at',
      'created_at',
      'updated_at',
      'deleted_at',
    ].map((f) => [f, 'omitempty in Convoy']),
  ),
};

/** Values Caravan adds to Convoy's enums, with the reason (see the README's "Differences from Convoy"). */
const ENUM_EXTENSIONS: Record<string, { values: string[]; why: string }> = {
  'datastore.PubSubType': { values: ['nats'], why: 'NATS JetStream sources, which Convoy does not offer' },
};

/** Every described field required, except the ones Convoy or Caravan may leave out. */
function requireFields(schemas: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => {
      const ext = ENUM_EXTENSIONS[name];
      if (ext) return [name, { ...(schema as object), enum: [...((schema as { enum?: string[] }).enum ?? []), ...ext.values] }];
      const props = (schema as { properties?: Record<string, unknown> }).properties;
      if (!props) return [name, schema];
      const absent = MAY_BE_ABSENT[name] ?? {};
      return [name, { ...(schema as object), required: Object.keys(props).filter((p) => !(p in absent)) }];
    }),
  );
}

function nullable(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(nullable);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'nullable') continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, nullable(s)])) : nullable(v);
  }
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  else if (out.$ref !== undefined || out.allOf !== undefined || out.oneOf !== undefined) return { anyOf: [{ type: 'null' }, out] };
  return out;
}

function load(): Route[] {
  const spec = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as {
    paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
    components: { schemas: Record<string, unknown> };
  };
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: 'convoy', components: { schemas: nullable(requireFields(spec.components.schemas)) } });
  const out: Route[] = [];
  for (const [template, methods] of Object.entries(spec.paths)) {
    const path = `/api${template}`;
    const pattern = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    const literals = path.split('/').filter((s) => s && !s.startsWith('{')).length;
    for (const [method, op] of Object.entries(methods)) {
      const validators = new Map<number, ValidateFunction>();
      for (const [status, res] of Object.entries(op.responses ?? {})) {
        const schema = res.content?.['application/json']?.schema;
        if (!schema || !/^2\d\d$/.test(status)) continue;
        const withRefs = JSON.parse(JSON.stringify(schema).replace(/"#\/components\/schemas\//g, '"convoy#/components/schemas/')) as object;
        validators.set(Number(status), ajv.compile(nullable(withRefs) as object));
      }
      if (validators.size) out.push({ method: method.toUpperCase(), pattern, literals, template, validators });
    }
  }
  return out.sort((a, b) => b.literals - a.literals);
}

export interface ContractViolation {
  route: string;
  status: number;
  errors: string[];
}

/** Checks one answer; undefined when it conforms or Convoy does not describe the route. */
export function checkAgainstConvoy(method: string, url: string, status: number, body: string): ContractViolation | undefined {
  routes ??= load();
  const path = url.split('?')[0];
  const route = routes.find((r) => r.method === method && r.pattern.test(path));
  const validate = route?.validators.get(status) ?? (route && status >= 200 && status < 300 ? [...route.validators.values()][0] : undefined);
  if (!route || !validate) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { route: `${method} ${route.template}`, status, errors: ['the answer is not JSON'] };
  }
  if (validate(value)) return undefined;
  const errors = (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  return { route: `${method} ${route.template}`, status, errors };
}

/**
 * Records every answer of an app under test that breaks Convoy's contract; `check()`
 * throws with all of them (the harnesses call it on close, so a drift fails the suite).
 */
export function recordContract(fastify: FastifyInstance): { violations: ContractViolation[]; check(): void } {
  const violations: ContractViolation[] = [];
  fastify.addHook('onSend', async (req, reply, payload) => {
    if (typeof payload === 'string' && reply.statusCode >= 200 && reply.statusCode < 300) {
      try {
        const v = checkAgainstConvoy(req.method, req.url, reply.statusCode, payload);
        if (v) violations.push(v);
      } catch (e) {
        // a fault of the checker must not change the answer under test
        violations.push({ route: `${req.method} ${req.url}`, status: reply.statusCode, errors: [`checker failed: ${(e as Error).message}`] });
      }
    }
    return payload;
  });
  return {
    violations,
    check() {
      if (violations.length === 0) return;
      if (process.env.CONTRACT_REPORT) {
        process.stderr.write(`CONTRACT ${JSON.stringify(violations)}\n`);
        return;
      }
      const seen = new Set<string>();
      const lines = violations
        .filter((v) => {
          const key = `${v.route} ${v.errors.join()}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        })
        .map((v) => `${v.route} → ${v.status}: ${v.errors.join('; ')}`);
      throw new Error(`answers that break Convoy's response schemas:\n${lines.join('\n')}`);
    },
  };
}
