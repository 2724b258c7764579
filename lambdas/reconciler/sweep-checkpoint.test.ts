import { InvalidCheckpointError } from '../shared/errors';
import { FIRST_PAGE } from './list-cursor';
import { addCounts, afterPage, listCursorOf, newSweep, parseCheckpoint, phaseAfter, scanCursorOf, subtractCounts, ZERO_COUNTS } from './sweep-checkpoint';

describe('sweep checkpoint', () => {
  const start = newSweep('sweep-1', 1_717_000_000_000);

  it('starts with the users, from the first page, with nothing counted', () => {
    expect(start).toEqual({ sweepId: 'sweep-1', startedAt: 1_717_000_000_000, phase: 'users', cursor: null, counts: ZERO_COUNTS });
    expect(listCursorOf(start)).toEqual(FIRST_PAGE);
  });

  it('goes users, organizations, memberships, then prune only when asked', () => {
    expect(['users', 'organizations', 'memberships'].map((phase) => phaseAfter(phase as 'users', true))).toEqual(['organizations', 'memberships', 'prune']);
    expect(phaseAfter('memberships', false)).toBe('done');
    expect(phaseAfter('prune', true)).toBe('done');
    expect(phaseAfter('done', true)).toBe('done');
  });

  it("adds a page's counts and keeps its cursor, or moves to the next phase from its beginning", () => {
    const next = { offset: 480, anchors: ['user_a'], createdAfter: 5 };
    const paged = afterPage(start, { listed: 500, created: 480, unchanged: 20 }, next, true);
    expect(paged).toMatchObject({ phase: 'users', cursor: next, counts: { listed: 500, created: 480, unchanged: 20, updated: 0 } });
    const ended = afterPage({ ...paged, phase: 'memberships' }, { listed: 3, updated: 3 }, undefined, true);
    expect(ended).toMatchObject({ phase: 'prune', cursor: null, counts: { listed: 503, updated: 3 } });
    expect(scanCursorOf(ended)).toEqual({});
    const scanned = afterPage(ended, { checked: 1_000, pruned: 2 }, { startKey: { pk: 'USER#u', sk: 'PROFILE' } }, true);
    expect(scanCursorOf(scanned)).toEqual({ startKey: { pk: 'USER#u', sk: 'PROFILE' } });
    expect(afterPage(scanned, { checked: 10 }, undefined, true)).toMatchObject({ phase: 'done', cursor: null, counts: { checked: 1_010, pruned: 2 } });
  });

  it('tells what an invocation did from two checkpoints', () => {
    const before = addCounts(ZERO_COUNTS, { created: 5, listed: 9 });
    expect(subtractCounts(addCounts(before, { created: 2, pruned: 1 }), before)).toEqual({ ...ZERO_COUNTS, created: 2, pruned: 1 });
  });

  it('reads back what it saved, and refuses anything else', () => {
    const saved = afterPage(start, { listed: 1 }, { offset: 0, anchors: ['x'], createdAfter: 7 }, false);
    expect(parseCheckpoint(JSON.parse(JSON.stringify(saved)))).toEqual(saved);
    for (const broken of [null, 'x', { ...saved, phase: 'later' }, { ...saved, counts: { ...saved.counts, created: -1 } }, { ...saved, cursor: { offset: 'a', anchors: [] } }, { ...saved, sweepId: '' }]) {
      expect(() => parseCheckpoint(broken)).toThrow(InvalidCheckpointError);
    }
  });
});
