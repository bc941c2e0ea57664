import { BadRequestException, ValidationError } from '@nestjs/common';

function flatten(errors: ValidationError[], parent = ''): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    for (const msg of Object.values(e.constraints ?? {})) out.push({ field, message: msg.replace(e.property, field) });
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/** Validation failures name every bad field: `{code: 'validation_failed', data.errors[]}`. */
export function validationExceptionFactory(errors: ValidationError[]): BadRequestException {
  const list = flatten(errors);
  return new BadRequestException({
    message: list.map((e) => e.message).join('; ') || 'invalid request',
    code: 'validation_failed',
    errors: list,
  });
}
