import { BadRequestException, ValidationError } from '@nestjs/common';

function flatten(errors: ValidationError[], parent = ''): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const rules = Object.values(e.constraints ?? {});
    // a missing field fails every rule it has; the one thing worth saying is that it is needed
    const unknownField = e.constraints && 'whitelistValidation' in e.constraints;
    if (rules.length > 0 && !unknownField && (e.value === undefined || e.value === null)) out.push({ field, message: `${field} is required` });
    else for (const msg of rules) out.push({ field, message: msg.replace(e.property, field) });
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
