import { IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class CreateEventTypeDto {
  /** e.g. `invoice.paid`: printable, no spaces, and not `*` (which means every type) */
  @IsString() @Matches(/^(?!\*$)[\x21-\x7e]{1,200}$/, { message: 'name must be 1-200 printable characters without spaces, and not "*"' }) name!: string;
  /** a product-specific grouping */
  @IsOptional() @IsString() @MaxLength(200) category?: string;
  @IsOptional() @IsString() @MaxLength(2000) description?: string;
  /** the JSON Schema of the payload, for documentation */
  @IsOptional() @IsObject() json_schema?: Record<string, unknown> | null;
}

/** Convoy's import: an OpenAPI 3 document (JSON or YAML) as text. */
export class ImportOpenApiDto {
  /** the document; its `webhooks` section names the event types */
  @IsString() @MaxLength(2 * 1024 * 1024) spec!: string;
}

/** What is absent stays as it is; the name cannot change. */
export class UpdateEventTypeDto {
  @IsOptional() @IsString() @MaxLength(200) category?: string;
  @IsOptional() @IsString() @MaxLength(2000) description?: string;
  @IsOptional() @IsObject() json_schema?: Record<string, unknown> | null;
}

export class EventTypeResponseDto {
  uid!: string;
  project_id!: string;
  name!: string;
  category!: string;
  description!: string;
  json_schema!: Record<string, unknown> | null;
  deprecated_at!: string | null;
  created_at!: string;
  updated_at!: string;
}
