import { encodeTime, monotonicFactory } from 'ulid';

const next = monotonicFactory();

/** ULIDs: sortable by creation time, so keyset pagination on the id follows time order. */
export function newId(): string {
  return next();
}

/** The smallest id that can have been made at `at`: ids compare as their creation times do. */
export function idFloor(at: Date): string {
  return `${encodeTime(Math.max(0, at.getTime()), 10)}${'0'.repeat(16)}`;
}
