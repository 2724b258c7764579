import { classifyRejection } from './conditions';

describe('classifyRejection', () => {
  it('is a duplicate when the item was written by the same svix message, otherwise stale', () => {
    expect(classifyRejection({ lastEventId: 'msg_1' }, 'msg_1')).toBe('duplicate');
    expect(classifyRejection({ lastEventId: 'msg_2' }, 'msg_1')).toBe('stale');
    expect(classifyRejection(undefined, 'msg_1')).toBe('stale');
  });
});
