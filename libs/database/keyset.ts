import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

export interface KeysetRequest {
  perPage: number;
  direction: 'next' | 'prev';
  cursor?: string;
}

/**
 * Keyset pagination on the id column (ULIDs sort by time). Fetches perPage+1 rows so the
 * caller knows whether another page exists, without COUNT(*).
 */
export function applyKeyset<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, alias: string, req: KeysetRequest): SelectQueryBuilder<T> {
  const col = `${alias}.id`;
  if (req.direction === 'prev') {
    if (req.cursor) qb.andWhere(`${col} > :__cursor`, { __cursor: req.cursor });
    qb.orderBy(col, 'ASC');
  } else {
    if (req.cursor) qb.andWhere(`${col} < :__cursor`, { __cursor: req.cursor });
    qb.orderBy(col, 'DESC');
  }
  return qb.limit(req.perPage + 1);
}
