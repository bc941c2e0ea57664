import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { validateCustomHeaders } from '../../common/http/json-guard';
import { newId } from '../../common/ids';
import type { BrokerMessage, Settlement } from '../broker-clients';
import { IngestEvent } from '../events';
import { FunctionFailure, FunctionSandbox } from '../functions';
import { ProjectsService } from '../projects';
import type { SourceEntity } from '../sources';
import { BrokerMetrics } from './broker-metrics';
import { asConvoyMessage, asHeaders, ingestCommand, mergeHeaders, MessageRejected, parseBody } from './broker-message';
import { BrokerRejectionsRepository } from './broker-rejections.repository';
import type { StoreGate } from './store-gate';

/** What a rejection keeps of the body: enough to see what was wrong. */
export const MAX_REJECTED_BODY_CHARS = 64 * 1024;

/** Errors that the same message would meet again on every delivery. */
const PERMANENT_KINDS = new Set(['bad_request', 'unprocessable', 'not_found', 'payload_too_large', 'unsupported_media_type', 'forbidden', 'conflict']);

function functionOutput(which: string, output: string): unknown {
  try {
    return JSON.parse(output) as unknown;
  } catch {
    throw new MessageRejected(`the ${which} function did not return JSON`);
  }
}

export function isPermanent(e: unknown): boolean {
  if (e instanceof MessageRejected) return true;
  if (e instanceof DomainError) return PERMANENT_KINDS.has(e.kind);
  // a busy sandbox frees up; everything else a function does, it does again
  if (e instanceof FunctionFailure) return e.kind !== 'busy';
  return false;
}

/**
 * The transport adapter for broker messages: a message becomes Convoy's event shape (after
 * the source's body and header functions), goes through {@link IngestEvent}, and only
 * then is it settled. Permanent failures are recorded (and dead-lettered where the queue
 * has a route for it); transient ones leave the message with the broker and pause the
 * consumers until the store answers again.
 */
@Injectable()
export class BrokerIngest {
  private readonly logger = new Logger(BrokerIngest.name);

  constructor(
    private readonly ingest: IngestEvent,
    private readonly projects: ProjectsService,
    private readonly sandbox: FunctionSandbox,
    private readonly rejections: BrokerRejectionsRepository,
    private readonly metrics: BrokerMetrics,
  ) {}

  async handle(source: SourceEntity, deadLetters: boolean, gate: StoreGate, m: BrokerMessage): Promise<Settlement> {
    await gate.ready();
    this.metrics.count(source.id, 'received');
    if (m.redelivered) this.metrics.count(source.id, 'redelivered');
    try {
      const result = await this.ingest.execute(await this.command(source, m));
      this.metrics.count(source.id, result.duplicate ? 'duplicate' : 'ingested');
      return 'ack';
    } catch (e) {
      if (!isPermanent(e)) {
        gate.trip(e);
        this.metrics.count(source.id, 'retried');
        return 'retry';
      }
      return this.reject(source, deadLetters, gate, m, (e as Error).message);
    }
  }

  private async command(source: SourceEntity, m: BrokerMessage) {
    let value = parseBody(m.body);
    if (source.bodyFunction) value = functionOutput('body', (await this.sandbox.run(source.bodyFunction, JSON.stringify(value), source.projectId)).output);
    const msg = asConvoyMessage(value);
    const project = await this.projects.getCached(source.projectId);
    // a broker header that could not go out on a request is left behind, not a reason to refuse the message
    const broker = Object.fromEntries(
      Object.entries(m.headers).filter(([k, v]) => validateCustomHeaders({ [k]: v }, project.config.signature.header).length === 0),
    );
    let headers = mergeHeaders(broker, msg.custom_headers, m.messageId);
    if (source.headerFunction) {
      const out = await this.sandbox.run(source.headerFunction, JSON.stringify(headers), source.projectId);
      headers = asHeaders(functionOutput('header', out.output));
    }
    return ingestCommand(source, msg, headers, m.messageId);
  }

  private async reject(source: SourceEntity, deadLetters: boolean, gate: StoreGate, m: BrokerMessage, reason: string): Promise<Settlement> {
    try {
      await this.rejections.insert({
        id: newId(),
        projectId: source.projectId,
        sourceId: source.id,
        brokerMessageId: m.messageId ?? null,
        reason,
        headers: m.headers,
        body: m.body.toString('utf8').slice(0, MAX_REJECTED_BODY_CHARS).replace(/\0/g, '\uFFFD'),
        deadLettered: deadLetters,
        createdAt: new Date(),
      });
    } catch (e) {
      // the broker's own route keeps the message; without one, it stays on the broker until it can be recorded
      if (!deadLetters) {
        gate.trip(e);
        this.metrics.count(source.id, 'retried');
        return 'retry';
      }
      this.logger.warn(`source ${source.id}: a rejected message was dead-lettered but not recorded: ${(e as Error).message}`);
    }
    this.metrics.count(source.id, deadLetters ? 'dead_lettered' : 'rejected');
    return deadLetters ? 'dead-letter' : 'ack';
  }
}
