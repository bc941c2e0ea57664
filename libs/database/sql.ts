/**
 * TypeORM's postgres driver answers UPDATE and DELETE with `[rows, rowCount]` and every
 * other command with the rows alone. This reads both shapes.
 */
export function writeResult<T>(raw: unknown): { rows: T[]; count: number } {
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number') {
    return { rows: raw[0] as T[], count: raw[1] };
  }
  const rows = Array.isArray(raw) ? (raw as T[]) : [];
  return { rows, count: rows.length };
}
