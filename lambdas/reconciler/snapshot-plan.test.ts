import { planSnapshot } from './snapshot-plan';
import { SNAPSHOT_EVENT_ID } from './sweep-event-ids';

describe('planSnapshot', () => {
  const at = 1_717_000_000_000;

  it('creates what the table lacks, a partial profile included', () => {
    expect(planSnapshot(undefined, { version: at })).toBe('create');
    expect(planSnapshot({}, { version: at })).toBe('create');
  });

  it('updates an older state, skips a newer one', () => {
    expect(planSnapshot({ version: at - 1, lastEventId: 'msg_1' }, { version: at })).toBe('update');
    expect(planSnapshot({ version: at + 1, lastEventId: 'msg_1' }, { version: at })).toBe('skip');
  });

  it('leaves the same version alone, whether a webhook or an earlier sweep wrote it', () => {
    expect(planSnapshot({ version: at, lastEventId: 'msg_1' }, { version: at })).toBe('unchanged');
    expect(planSnapshot({ version: at, lastEventId: SNAPSHOT_EVENT_ID }, { version: at })).toBe('unchanged');
  });

  it('never resurrects a tombstone', () => {
    expect(planSnapshot({ version: at - 5, deleted: true }, { version: at })).toBe('skip');
    expect(planSnapshot({ deleted: true }, { version: at })).toBe('skip');
  });

  it('orders memberships by generation first: a newer membership replaces even a tombstone, an older one never lands', () => {
    const older = '000001717000000000#orgmem_a';
    const newer = '000001717000000500#orgmem_b';
    expect(planSnapshot({ generation: older, deleted: true, version: at }, { version: at - 10, generation: newer })).toBe('update');
    expect(planSnapshot({ generation: newer, version: at - 10 }, { version: at, generation: older })).toBe('skip');
    expect(planSnapshot({ generation: newer, deleted: true, version: at - 10 }, { version: at, generation: newer })).toBe('skip');
    expect(planSnapshot({ generation: newer, version: at - 10, lastEventId: 'msg_1' }, { version: at, generation: newer })).toBe('update');
  });
});
