import { tombstoneTtl } from './tombstone-ttl';

describe('tombstoneTtl', () => {
  it('is epoch seconds, the given number of days from now', () => {
    expect(tombstoneTtl(1_717_000_000_999, 30)).toBe(1_717_000_000 + 30 * 86_400);
  });
});
