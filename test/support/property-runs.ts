import type fc from 'fast-check';

export interface PropertyRuns {
  /** FC_SEED is set: a reported failure is being replayed. */
  readonly replay: boolean;
  readonly numRuns: number;
  readonly parameters: fc.Parameters<unknown>;
  /** For the jest test: a replay shrinks, which can take long. */
  readonly timeoutMs: number;
}

/**
 * The settings of the property tests that run against the local engines. FC_NUM_RUNS runs more
 * (or fewer); FC_SEED=<seed> FC_PATH=<path>, as fast-check prints them, replay a failure and shrink it.
 */
export function propertyRuns(defaultRuns: number): PropertyRuns {
  const replay = process.env.FC_SEED !== undefined;
  const numRuns = Number(process.env.FC_NUM_RUNS ?? defaultRuns);
  return {
    replay,
    numRuns,
    parameters: {
      numRuns,
      // No shrinking in ordinary runs: each try costs tables and a few hundred writes, and a
      // race may not come back while shrinking. The first counterexample is reported whole.
      endOnFailure: !replay,
      ...(replay ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {}),
    },
    timeoutMs: replay ? 3_600_000 : 120_000,
  };
}
