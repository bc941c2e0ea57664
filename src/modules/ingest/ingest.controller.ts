import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest } from '../../common/errors/domain-error';
import { Public } from '../auth';
import { SourcesService, twitterCrcResponse } from '../sources';
import { ingestContext, IngestContext } from './ingest-http';
import { ReceiveWebhook } from './receive-webhook';

/**
 * Incoming webhooks: no API key, the source's verifier authenticates the sender. The
 * hooks in `ingest-http.ts` have already found the source and checked its rate. Left
 * out of the OpenAPI document, which describes the `/api/v1` API (the README documents
 * the answers: 200, 400, 404, 413, 429, 503).
 */
@ApiExcludeController()
@Public()
@Controller('ingest')
export class IngestController {
  constructor(
    private readonly receive: ReceiveWebhook,
    private readonly sources: SourcesService,
  ) {}

  /** Takes a provider's webhook (any content type; forms become a flat JSON object) and answers once it is stored. */
  @Post(':maskID')
  @HttpCode(200)
  async ingest(
    @Param('maskID') _mask: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | { status: true; message: string; data: number }> {
    const ctx = contextOf(req);
    const answer = await this.receive.execute({
      source: ctx.source,
      project: ctx.project,
      rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      headers: req.headers,
      // a plain copy: Fastify's parsed query inherits from an empty prototype object, which the
      // filter engine (rightly strict about plain objects) does not take for one
      query: { ...(req.query as Record<string, string | string[]> | undefined) },
      path: req.url.split('?')[0],
    });
    if (answer.kind === 'custom') {
      void reply.header('content-type', answer.contentType);
      return answer.body;
    }
    return { status: true, message: answer.message, data: answer.bytes };
  }

  /** Twitter's CRC check: answers `response_token` for the `crc_token` query value. */
  @Get(':maskID')
  async crc(@Param('maskID') _mask: string, @Query('crc_token') token: string | undefined, @Req() req: FastifyRequest): Promise<{ response_token: string }> {
    const { source } = contextOf(req);
    if (source.provider !== 'twitter') throw badRequest('unsupported_provider', 'Provider type is not supported');
    const secret = this.sources.open(source.verifier);
    if (typeof token !== 'string' || token === '' || secret.type !== 'hmac') throw badRequest('crc_failed', 'CRC verification failed');
    const answer = { response_token: twitterCrcResponse(secret.hmac.secret, token) };
    await this.sources.markCrcVerified(source);
    return answer;
  }
}

function contextOf(req: FastifyRequest): IngestContext {
  const ctx = ingestContext(req);
  // the onRequest hook always sets it for this path; without it the route must not run
  if (!ctx) throw badRequest('not_found', 'Resource not found');
  return ctx;
}
