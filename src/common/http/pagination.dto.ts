import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** Convoy's cursor pagination query. Cursors are ids (ULIDs), newest first. */
export class PaginationQueryDto {
  /** page size (1-100, default 20) */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  perPage?: number;

  /** which way to page from the cursor */
  @IsOptional()
  @IsIn(['next', 'prev'])
  direction?: 'next' | 'prev';

  /** cursor for the next (older) page */
  @IsOptional()
  @IsString()
  @Matches(/^[0-9A-Za-z]{1,64}$/)
  next_page_cursor?: string;

  /** cursor for the previous (newer) page */
  @IsOptional()
  @IsString()
  @Matches(/^[0-9A-Za-z]{1,64}$/)
  prev_page_cursor?: string;
}

export class PaginationDataDto {
  per_page!: number;
  has_next_page!: boolean;
  has_prev_page!: boolean;
  prev_page_cursor!: string;
  next_page_cursor!: string;
}

export interface Page<T> {
  content: T[];
  pagination: PaginationDataDto;
}

export interface PageRequest {
  perPage: number;
  direction: 'next' | 'prev';
  cursor?: string;
}

export function toPageRequest(q: PaginationQueryDto): PageRequest {
  const direction = q.direction ?? 'next';
  return {
    perPage: q.perPage ?? 20,
    direction,
    cursor: direction === 'prev' ? q.prev_page_cursor : q.next_page_cursor,
  };
}

/**
 * Builds the pagination block from rows fetched with limit perPage+1 in the page's scan
 * order (newest first for `next`, oldest first for `prev`).
 */
export function toPage<R extends { id: string }, T>(rows: R[], req: PageRequest, map: (r: R) => T): Page<T> {
  const more = rows.length > req.perPage;
  let slice = more ? rows.slice(0, req.perPage) : rows;
  if (req.direction === 'prev') slice = slice.slice().reverse();
  const first = slice[0]?.id ?? '';
  const last = slice[slice.length - 1]?.id ?? '';
  const hasNext = req.direction === 'next' ? more : true;
  const hasPrev = req.direction === 'next' ? req.cursor !== undefined : more;
  return {
    content: slice.map(map),
    pagination: {
      per_page: req.perPage,
      has_next_page: hasNext && slice.length > 0,
      has_prev_page: hasPrev && slice.length > 0,
      prev_page_cursor: first,
      next_page_cursor: last,
    },
  };
}
