import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { PaginationDataDto } from './pagination.dto';

export interface EnvelopeOptions {
  status?: number;
  /** `data` is `{content: T[], pagination}` */
  page?: boolean;
  /** `data` is `T[]` */
  array?: boolean;
  description?: string;
}

/** Convoy's error envelope, with our machine-readable code. */
export class ErrorEnvelopeDto {
  status!: boolean;
  message!: string;
  /** stable, machine-readable error code, e.g. `validation_failed`, `endpoint_not_found` */
  code!: string;
  /** present on 500s: quote it when reporting a problem */
  error_id?: string;
  data?: Record<string, unknown>;
}

/**
 * Documents a route's success answer as Convoy's `{status, message, data}` envelope around
 * `model`, so generated SDKs get typed responses; also documents the error envelope.
 */
export function ApiEnvelope(model: Type<unknown> | null | typeof String, opts: EnvelopeOptions = {}): MethodDecorator {
  let data: SchemaObject | ReferenceObject;
  if (model === null) data = { type: 'object', nullable: true };
  else if (model === String) data = { type: 'string' };
  else if (opts.page) {
    data = {
      type: 'object',
      properties: { content: { type: 'array', items: { $ref: getSchemaPath(model) } }, pagination: { $ref: getSchemaPath(PaginationDataDto) } },
      required: ['content', 'pagination'],
    };
  } else if (opts.array) data = { type: 'array', items: { $ref: getSchemaPath(model) } };
  else data = { $ref: getSchemaPath(model) };
  const models: Type<unknown>[] = [ErrorEnvelopeDto, PaginationDataDto, ...(model && model !== String ? [model as Type<unknown>] : [])];
  return applyDecorators(
    ApiExtraModels(...models),
    ApiResponse({
      status: opts.status ?? 200,
      description: opts.description ?? 'success',
      schema: { type: 'object', properties: { status: { type: 'boolean' }, message: { type: 'string' }, data }, required: ['status', 'message', 'data'] },
    }),
    ApiResponse({ status: 400, description: 'invalid input; `data.errors` names each field', type: ErrorEnvelopeDto }),
    ApiResponse({ status: 404, description: 'not found (also for ids of another project)', type: ErrorEnvelopeDto }),
  );
}
