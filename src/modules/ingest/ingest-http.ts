import { Transform, TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isTransientDatabaseError } from '../../../libs/database/database-errors';
import { DomainError } from '../../common/errors/domain-error';
import type { ProjectEntity } from '../projects';
import type { SourceEntity } from '../sources';
import type { IngestGate } from './ingest-gate';

/** What the hooks learnt about an /ingest request before its body was read. */
export interface IngestContext {
  source: SourceEntity;
  project: ProjectEntity;
  /** bytes of body the project accepts */
  limit: number;
}

const CONTEXT = Symbol('ingest-context');
const INGEST_PATH = /^\/ingest\/([^/?#]+)\/?(?:[?#]|$)/;

export function ingestContext(req: FastifyRequest): IngestContext | undefined {
  return (req as unknown as { [CONTEXT]?: IngestContext })[CONTEXT];
}

/** Whether the body of this request is taken raw (the verifier needs the exact bytes). */
export function takesRawBody(req: FastifyRequest): boolean {
  return ingestContext(req) !== undefined;
}

/**
 * `/ingest/{maskID}` has no API key: the source's verifier is its authentication. Before
 * any body is read, the mask is looked up (unknown or disabled → 404) and the source's
 * rate is checked (429), so a flood costs no body reading; the body is then counted as it
 * streams and cut at the project's `max_payload_read_size` (413).
 */
export function installIngestHooks(fastify: FastifyInstance, gate: IngestGate, hardLimit: number): void {
  fastify.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const m = INGEST_PATH.exec(req.url);
    if (!m) return;
    try {
      const { source, project } = await gate.open(maskOf(m[1]));
      (req as unknown as { [CONTEXT]?: IngestContext })[CONTEXT] = {
        source,
        project,
        limit: Math.min(hardLimit, project.config.max_payload_read_size),
      };
    } catch (e) {
      // a sender must retry, not give up, when the source cannot be read (Convoy answers 400)
      if (isTransientDatabaseError(e)) {
        return reply
          .code(503)
          .header('retry-after', '2')
          .header('connection', 'close')
          .send({ status: false, message: 'storage temporarily unavailable, retry later', code: 'storage_unavailable' });
      }
      if (!(e instanceof DomainError)) throw e;
      if (e.retryAfter !== undefined) void reply.header('retry-after', String(e.retryAfter));
      // the body was never read: close the connection rather than drain it
      return reply.code(e.status).header('connection', 'close').send({ status: false, message: e.message, code: e.code });
    }
  });
  fastify.addHook('preParsing', async (req: FastifyRequest, _reply: FastifyReply, payload) => {
    const ctx = ingestContext(req);
    if (!ctx) return payload;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > ctx.limit) throw tooLarge(ctx.limit);
    return payload.pipe(new ByteLimit(ctx.limit));
  });
}

/** The mask as sent; a malformed escape names no source. */
function maskOf(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

/** Counts the bytes as they stream and fails past `limit`, whatever Content-Length said. */
class ByteLimit extends Transform {
  private seen = 0;
  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) return cb(tooLarge(this.limit));
    cb(null, chunk);
  }
}

function tooLarge(limit: number): Error {
  return Object.assign(new Error(`request body is larger than the project's limit of ${limit} bytes`), {
    statusCode: 413,
    code: 'FST_ERR_CTP_BODY_TOO_LARGE',
  });
}
