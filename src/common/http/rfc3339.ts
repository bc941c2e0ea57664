import { registerDecorator, ValidationOptions } from 'class-validator';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2})))?$/;

/**
 * A real instant in RFC 3339 (`2024-05-01T12:00:00Z`, an offset, or a bare `2024-05-01`):
 * no ISO week dates or ordinals that JavaScript cannot read, and no impossible calendar
 * days (`2024-02-30` would otherwise roll over to March).
 */
export function isRfc3339(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 40) return false;
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return false;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60)) return false;
  if (m[8] !== undefined && (Number(m[8]) > 23 || Number(m[9]) > 59)) return false;
  return Number.isFinite(Date.parse(value.replace(' ', 'T')));
}

export function IsRfc3339(options?: ValidationOptions): PropertyDecorator {
  return (target: object, property: string | symbol) =>
    registerDecorator({
      name: 'isRfc3339',
      target: target.constructor,
      propertyName: String(property),
      options: { message: `${String(property)} must be an RFC 3339 date or date-time, e.g. 2024-05-01T12:00:00Z`, ...options },
      validator: { validate: (v: unknown) => isRfc3339(v) },
    });
}
