import { CascadeBudget, DELETES_IN_FLIGHT } from './cascade-delete';

describe('CascadeBudget', () => {
  const limits = (remaining: number) => ({ maxDeletes: 60, remainingTimeMs: () => remaining, timeReserveMs: 15_000 });

  it('without limits, allows every round', () => {
    const budget = new CascadeBudget(undefined);
    budget.spend(1_000_000);
    expect(budget.nextRound(DELETES_IN_FLIGHT)).toBe(DELETES_IN_FLIGHT);
  });

  it('hands out rounds until the deletes are spent, the last one cut to what is left', () => {
    const budget = new CascadeBudget(limits(30_000));
    const rounds: number[] = [];
    for (let size = budget.nextRound(DELETES_IN_FLIGHT); size > 0; size = budget.nextRound(DELETES_IN_FLIGHT)) {
      rounds.push(size);
      budget.spend(size);
    }
    expect(rounds).toEqual([25, 25, 10]);
    expect(budget.deletes).toBe(60);
  });

  it('always allows the first round, then none once less than the reserve is left', () => {
    const budget = new CascadeBudget(limits(14_999));
    expect(budget.nextRound(DELETES_IN_FLIGHT)).toBe(DELETES_IN_FLIGHT);
    // A round that deleted nothing (an empty query page) does not count as the first.
    budget.spend(0);
    expect(budget.nextRound(DELETES_IN_FLIGHT)).toBe(DELETES_IN_FLIGHT);
    budget.spend(DELETES_IN_FLIGHT);
    expect(budget.nextRound(DELETES_IN_FLIGHT)).toBe(0);
  });
});
