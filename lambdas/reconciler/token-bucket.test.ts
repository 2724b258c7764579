import { type Clock, TokenBucket } from './token-bucket';
import { defaultRequestsPerSecond, instanceKindOf } from './clerk-rate-limits';

/** A clock that only moves when someone sleeps: each sleep is recorded and then passes at once. */
function fakeClock(): Clock & { readonly sleeps: number[] } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe('TokenBucket', () => {
  it('lets a full bucket through at once, then paces callers at the rate', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 10, clock);
    const startedAt: number[] = [];
    for (let request = 0; request < 100; request += 1) {
      await bucket.take();
      startedAt.push(clock.now());
    }
    expect(clock.sleeps.slice(0, 10)).toEqual([100, 100, 100, 100, 100, 100, 100, 100, 100, 100]);
    // 10 saved up, then 90 at 10 a second.
    expect(startedAt.at(-1)! - startedAt[0]!).toBe(9_000);
    // No 10-second window ever holds more than the burst plus ten seconds of rate.
    for (const start of startedAt) {
      expect(startedAt.filter((at) => at >= start && at < start + 10_000).length).toBeLessThanOrEqual(10 + 100);
    }
  });

  it('paces concurrent callers in call order without a queue', async () => {
    // All four ask at the same instant: the clock does not move while they sleep.
    const waits: number[] = [];
    const bucket = new TokenBucket(4, 1, { now: () => 0, sleep: async (ms) => void waits.push(ms) });
    await Promise.all([bucket.take(), bucket.take(), bucket.take(), bucket.take()]);
    expect(waits).toEqual([250, 500, 750]);
  });

  it('charges a call that costs two requests twice', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(2, 2, clock);
    await bucket.take(2);
    await bucket.take(2);
    expect(clock.sleeps).toEqual([1_000]);
  });

  it('holds everyone off for a Retry-After, on top of what is already owed', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 10, clock);
    bucket.holdOff(2_000);
    await bucket.take();
    expect(clock.sleeps).toEqual([2_100]);
  });

  it('refuses a rate that is not a positive number', () => {
    expect(() => TokenBucket.perSecond(0, fakeClock())).toThrow(RangeError);
    expect(() => TokenBucket.perSecond(Number.NaN, fakeClock())).toThrow(RangeError);
  });
});

describe('default rate', () => {
  it('is 80% of the instance limit the key names: live keys production, anything else development', () => {
    expect(instanceKindOf('sk_live_abc')).toBe('production');
    expect(instanceKindOf('sk_test_abc')).toBe('development');
    expect(defaultRequestsPerSecond('sk_live_abc')).toBe(80);
    expect(defaultRequestsPerSecond('sk_test_abc')).toBe(8);
    expect(defaultRequestsPerSecond('something_else')).toBe(8);
  });
});
