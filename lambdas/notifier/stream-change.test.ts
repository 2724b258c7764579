import { streamRecord } from '../../test/support/stream-records';
import { keys } from '../shared/table-schema';
import { decodeStreamRecord } from './stream-change';

const user = {
  ...keys.user('user_2a'),
  type: 'user',
  id: 'user_2a',
  email: 'ada@example.com',
  version: 1_717_000_000_000,
  memberOrgIds: new Set(['org_2a', 'org_2b']),
  permissions: ['a', 'b'],
};

describe('decodeStreamRecord', () => {
  it('unmarshalls both images of a MODIFY, numbers and sets included', () => {
    const oldImage = { ...user, version: 1_716_000_000_000 };
    const change = decodeStreamRecord(streamRecord({ eventName: 'MODIFY', newImage: user, oldImage, sequenceNumber: '100' }));
    expect(change).toEqual({ eventName: 'MODIFY', eventId: 'evt-100', sequenceNumber: '100', newImage: user, oldImage });
  });

  it('has no old image on an INSERT', () => {
    expect(decodeStreamRecord(streamRecord({ eventName: 'INSERT', newImage: user, sequenceNumber: '7' }))).toEqual({
      eventName: 'INSERT',
      eventId: 'evt-7',
      sequenceNumber: '7',
      newImage: user,
    });
  });

  it('ignores REMOVE records and records without a new image', () => {
    expect(decodeStreamRecord(streamRecord({ eventName: 'REMOVE', oldImage: user, sequenceNumber: '8' }))).toBeUndefined();
    // A stream configured with KEYS_ONLY (or OLD_IMAGE) gives the notifier nothing to decide on.
    expect(decodeStreamRecord(streamRecord({ eventName: 'MODIFY', keys: { pk: user.pk, sk: user.sk }, sequenceNumber: '9' }))).toBeUndefined();
    expect(decodeStreamRecord({ eventName: 'INSERT' })).toBeUndefined();
  });
});
