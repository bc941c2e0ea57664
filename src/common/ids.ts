import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

/** ULIDs: sortable by creation time, so keyset pagination on the id follows time order. */
export function newId(): string {
  return next();
}
