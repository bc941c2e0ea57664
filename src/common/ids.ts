import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

/** ULIDs: sortable by creation time, so keyset pagination on the id follows time order. */
export function newId(): string {
  return next();
}

export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isUlid(value: string): boolean {
  return ULID_PATTERN.test(value);
}
