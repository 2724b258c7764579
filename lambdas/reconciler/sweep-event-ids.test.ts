import { PRUNE_EVENT_ID, SNAPSHOT_EVENT_ID } from './sweep-event-ids';

/** DynamoDB compares strings by their UTF-8 bytes. */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('sweep event ids', () => {
  it.each([SNAPSHOT_EVENT_ID, PRUNE_EVENT_ID])('%s sorts below svix ids and any id starting with a printable character', (id) => {
    for (const other of ['msg_2ZdwC8QHcMx4u6aXlCD6N3YyLbH', 'msg_', '0', 'A', 'a', '~', '"quoted"', '#1', 'évènement']) {
      expect(byteOrder(id, other)).toBeLessThan(0);
    }
  });
});
