import fc from 'fast-check';
import { FIRST_PAGE, type ListCursor, type ListedEntity, nextListStep, type PagingSettings } from './list-cursor';

/**
 * Clerk's list as the sweep sees it: oldest first (ties in a fixed order), `created_at_after`
 * exclusive, an offset and a limit. Between two requests, `between` may delete entities.
 */
function walk(
  entities: ListedEntity[],
  settings: PagingSettings,
  between: (live: ListedEntity[], request: number) => void = () => undefined,
): { processed: string[]; requests: number; survivors: string[] } {
  const live = [...entities].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const processed: string[] = [];
  let cursor: ListCursor | undefined = FIRST_PAGE;
  let requests = 0;
  while (cursor !== undefined) {
    if (requests > 10_000) throw new Error('the walk does not end');
    const after = cursor.createdAfter;
    const window = after === undefined ? live : live.filter((entity) => entity.createdAt > after);
    const page = window.slice(cursor.offset, cursor.offset + settings.limit);
    requests += 1;
    const step = nextListStep(cursor, page, settings);
    if (step.kind === 'read-again') {
      cursor = step.cursor;
    } else {
      for (const index of step.fresh) processed.push(page[index]!.id);
      cursor = step.next;
    }
    between(live, requests);
  }
  return { processed, requests, survivors: live.map((entity) => entity.id) };
}

const entitiesArbitrary = fc
  .array(fc.integer({ min: 0, max: 40 }), { minLength: 0, maxLength: 300 })
  // Few distinct times: many entities share a millisecond, as in a bulk import.
  .map((times) => times.map((createdAt, index) => ({ id: `e${String(index).padStart(4, '0')}`, createdAt })));

describe('nextListStep', () => {
  it.each([false, true])('reads every entity exactly once when nothing changes (by creation time: %s)', (byCreationTime) => {
    fc.assert(
      fc.property(entitiesArbitrary, fc.integer({ min: 2, max: 50 }), (entities, limit) => {
        const settings = { limit, overlap: Math.floor(limit / 4), byCreationTime };
        const { processed } = walk(entities, settings);
        expect([...processed].sort()).toEqual(entities.map((entity) => entity.id).sort());
      }),
    );
  });

  it.each([false, true])(
    'misses no entity that survives the walk when others are deleted in between, however many (by creation time: %s)',
    (byCreationTime) => {
      fc.assert(
        fc.property(entitiesArbitrary, fc.integer({ min: 3, max: 40 }), fc.array(fc.nat(), { maxLength: 200 }), (entities, limit, deletions) => {
          const settings = { limit, overlap: Math.max(1, Math.floor(limit / 4)), byCreationTime };
          let next = 0;
          const { processed, survivors } = walk(entities, settings, (live, request) => {
            // A burst of deletions after some requests, anywhere in the list.
            const burst = request % 3 === 0 ? (deletions[next] ?? 0) % (settings.limit + 3) : 0;
            for (let count = 0; count < burst && live.length > 0; count += 1) {
              live.splice((deletions[next + count] ?? 0) % live.length, 1);
            }
            next += burst;
          });
          const seen = new Set(processed);
          for (const id of survivors) expect(seen.has(id)).toBe(true);
        }),
      );
    },
  );

  it('reads no survivor twice while the deletions stay within the overlap', () => {
    fc.assert(
      fc.property(entitiesArbitrary, fc.array(fc.nat(), { maxLength: 100 }), (entities, positions) => {
        const settings = { limit: 20, overlap: 5, byCreationTime: false };
        let next = 0;
        const { processed } = walk(entities, settings, (live) => {
          // At most 4 deletions between two requests, all before the reader's position.
          for (let count = 0; count < 4 && next < positions.length && live.length > 0; count += 1) {
            live.splice(positions[next++]! % live.length, 1);
          }
        });
        expect(new Set(processed).size).toBe(processed.length);
      }),
    );
  });

  it('keeps offsets small when paging by creation time, ties included', () => {
    const entities = Array.from({ length: 2_000 }, (_, index) => ({ id: `u${index}`, createdAt: Math.floor(index / 7) }));
    let largest = 0;
    const settings = { limit: 100, overlap: 10, byCreationTime: true };
    let cursor: ListCursor | undefined = FIRST_PAGE;
    while (cursor !== undefined) {
      largest = Math.max(largest, cursor.offset);
      const after = cursor.createdAfter;
      const window = after === undefined ? entities : entities.filter((entity) => entity.createdAt > after);
      const step = nextListStep(cursor, window.slice(cursor.offset, cursor.offset + 100), settings);
      cursor = step.kind === 'process' ? step.next : step.cursor;
    }
    expect(largest).toBeLessThan(7);
  });

  it('reads the page again further back when no anchor reappears, and processes nothing of it', () => {
    const step = nextListStep({ offset: 95, anchors: ['a', 'b'] }, [{ id: 'x', createdAt: 1 }], { limit: 100, overlap: 5, byCreationTime: false });
    expect(step).toEqual({ kind: 'read-again', cursor: { offset: 0, anchors: ['a', 'b'] } });
  });

  it('refuses an overlap as large as the page', () => {
    expect(() => nextListStep(FIRST_PAGE, [], { limit: 10, overlap: 10, byCreationTime: false })).toThrow(RangeError);
  });
});
