import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';

/** Convoy's `models.FunctionRequest`: a transform function tried on a sample payload. */
export class FunctionRequestDto {
  /** JavaScript that defines `function transform(payload) { …; return payload }` */
  @IsDefined() @IsString() function!: string;
  /** the sample payload the function receives */
  @IsOptional() @IsObject() payload?: Record<string, unknown> | null;
  /** sources only: `body` (the result must then be an event Caravan can ingest) or `header`; anything else is not checked, as in Convoy */
  @IsOptional() @IsString() @MaxLength(20) type?: string;
}

/** Convoy's `models.FunctionResponse`: what the function returned and what it logged. */
export class FunctionResponseDto {
  /** the function's result: any JSON value */
  @ApiProperty({
    nullable: true,
    oneOf: [{ type: 'object', additionalProperties: true }, { type: 'array', items: {} }, { type: 'string' }, { type: 'number' }, { type: 'boolean' }],
  })
  payload!: unknown;
  /** one entry per console.log call */
  log!: string[];
}
