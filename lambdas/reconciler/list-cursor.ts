/**
 * Walking Clerk's lists page by page without a list of everything seen (a million ids do not fit
 * a checkpoint), so that an entity deleted while the sweep runs cannot make it skip others.
 *
 * Every list is read oldest first (`order_by=+created_at`): an entity created during the sweep is
 * appended at the end and shifts nothing. A deletion shifts every later entity one place back,
 * so consecutive pages overlap: the next page starts `overlap` entities before the end of the
 * previous one, and those entities (the anchors) must reappear in it. When none does, more
 * entities were deleted in between than the overlap absorbs, and the page is read again further
 * back. Whatever comes up to the last anchor in a page was read before and is not processed twice.
 *
 * Users are read by creation time as well (`created_at_after`), which keeps every offset small:
 * Clerk's offsets get slow, then time out, deep into a large list. The remaining offset counts
 * the users created in the same millisecond as the last one read.
 */

/** Where the next page starts. */
export interface ListCursor {
  readonly offset: number;
  /** Ids of the last entities of the previous page, expected at the start of this one. */
  readonly anchors: readonly string[];
  /** Users only: list those created after this time (epoch ms). */
  readonly createdAfter?: number;
}

export const FIRST_PAGE: ListCursor = { offset: 0, anchors: [] };

/** What the walk needs to know of a listed entity. */
export interface ListedEntity {
  readonly id: string;
  /** Epoch ms. */
  readonly createdAt: number;
}

export interface PagingSettings {
  /** Entities per request: Clerk's maximum, 500. */
  readonly limit: number;
  /** Entities repeated from one page to the next; fewer than `limit`. */
  readonly overlap: number;
  /** Page by `created_at_after` and a small offset (users), or by offset alone. */
  readonly byCreationTime: boolean;
}

export type ListStep =
  /** Process the page's entities at `fresh` (indexes); continue at `next`, or the list is done. */
  | { readonly kind: 'process'; readonly fresh: readonly number[]; readonly next?: ListCursor }
  /** Entities vanished between the two requests: read again from `cursor`, process nothing. */
  | { readonly kind: 'read-again'; readonly cursor: ListCursor };

export function nextListStep(cursor: ListCursor, page: readonly ListedEntity[], settings: PagingSettings): ListStep {
  const { limit, overlap } = settings;
  if (!(overlap >= 0 && overlap < limit)) throw new RangeError(`overlap must be from 0 to ${limit - 1}, got ${overlap}`);
  const anchors = new Set(cursor.anchors);
  let lastAnchor = -1;
  page.forEach((entity, index) => {
    if (anchors.has(entity.id)) lastAnchor = index;
  });
  if (anchors.size > 0 && lastAnchor < 0 && cursor.offset > 0) {
    return { kind: 'read-again', cursor: { ...cursor, offset: Math.max(0, cursor.offset - (limit - overlap)) } };
  }
  // Oldest first: everything up to the previous page's last entity was read before.
  const fresh = page.flatMap((_entity, index) => (index > lastAnchor ? [index] : []));
  // A short page is the last one: anything created later is the webhooks' (or the next sweep's).
  if (page.length < limit) return { kind: 'process', fresh };

  const nextAnchors = page.slice(page.length - overlap).map((entity) => entity.id);
  if (!settings.byCreationTime) {
    return { kind: 'process', fresh, next: { offset: cursor.offset + limit - overlap, anchors: nextAnchors } };
  }
  const last = page[page.length - 1]!.createdAt;
  // "Created after last - 1 ms" starts the next window at the last page's final millisecond.
  const createdAfter = last - 1;
  const sameWindow = cursor.createdAfter === createdAfter;
  const tiesAtEnd = page.filter((entity) => entity.createdAt === last).length;
  const offset = sameWindow ? cursor.offset + limit - overlap : Math.max(0, tiesAtEnd - overlap);
  return { kind: 'process', fresh, next: { offset, anchors: nextAnchors, createdAfter } };
}
