import type { Logger } from '@aws-lambda-powertools/logger';
import type { MetricsPublisher } from '../shared/metric-groups';
import { RECONCILER_DEFAULTS } from './reconciler-config';
import { runSweep, type SweepDeps, type SweepSettings } from './run-sweep';
import { newSweep, subtractCounts, type SweepCheckpoint } from './sweep-checkpoint';
import { driftOf, sweepMetricGroups } from './sweep-metrics';
import type { SweepStateTable } from './sweep-state-table';
import type { Clock } from './token-bucket';

/** What Step Functions passes: the execution's name owns the lease for the whole loop. */
export interface ReconcileInput {
  readonly owner: string;
}

/** What the loop's Choice reads: done ends the execution, otherwise it invokes again. */
export interface ReconcileOutput {
  readonly done: boolean;
  /** Another sweep holds the lease: this execution ends at once. */
  readonly skipped?: boolean;
  readonly phase?: string;
}

export interface ReconcileDeps {
  readonly state: SweepStateTable;
  /** The sweep's clients (Clerk, the table); built once the secret key is known. */
  readonly sweepDeps: () => Promise<Omit<SweepDeps, 'saveCheckpoint' | 'shouldStop' | 'clock'>>;
  readonly settings: SweepSettings;
  readonly clock: Clock;
  /** Milliseconds left in this invocation (Lambda's context). */
  readonly remainingTimeMs: () => number;
  readonly logger: Logger;
  readonly metrics: MetricsPublisher;
  readonly leaseMs?: number;
  readonly stopBeforeTimeoutMs?: number;
}

/**
 * One invocation of the scheduled sweep: take the lease, resume the checkpoint (or start a
 * sweep), work until shortly before the timeout, save, and say whether the sweep is done.
 */
export async function reconcileInvocation(deps: ReconcileDeps, input: ReconcileInput): Promise<ReconcileOutput> {
  const leaseMs = deps.leaseMs ?? RECONCILER_DEFAULTS.leaseMs;
  const stopBefore = deps.stopBeforeTimeoutMs ?? RECONCILER_DEFAULTS.stopBeforeTimeoutMs;
  const { clock, logger } = deps;
  const deadline = clock.now() + deps.remainingTimeMs() - stopBefore;

  const lease = await deps.state.acquire(input.owner, clock.now(), leaseMs);
  if (!lease.acquired) {
    logger.warn('another sweep holds the reconciliation lease; this one ends', { owner: input.owner, holder: lease.owner });
    return { done: true, skipped: true };
  }
  const start = lease.checkpoint ?? newSweep(input.owner, clock.now());
  logger.info(lease.checkpoint === undefined ? 'sweep started' : 'sweep resumed', { sweepId: start.sweepId, phase: start.phase, counts: start.counts });

  let saved: SweepCheckpoint = start;
  let completed: SweepCheckpoint | undefined;
  try {
    const sweep = await deps.sweepDeps();
    const final = await runSweep(
      {
        ...sweep,
        clock,
        shouldStop: () => clock.now() >= deadline,
        saveCheckpoint: async (checkpoint) => {
          await deps.state.save(input.owner, checkpoint, clock.now(), leaseMs);
          saved = checkpoint;
        },
      },
      deps.settings,
      start,
    );
    if (final.phase === 'done') {
      await deps.state.finish(input.owner, final);
      completed = final;
      const drift = driftOf(final.counts);
      // Drift means webhooks were missed: worth a line at the level Lambda keeps by default.
      if (drift > 0) logger.warn('sweep done: it repaired drift', { sweepId: final.sweepId, counts: final.counts, drift });
      else logger.info('sweep done', { sweepId: final.sweepId, counts: final.counts, drift });
      return { done: true };
    }
    logger.info('sweep continues in the next invocation', { sweepId: final.sweepId, phase: final.phase, counts: final.counts });
    return { done: false, phase: final.phase };
  } finally {
    try {
      deps.metrics.publish(sweepMetricGroups(subtractCounts(saved.counts, start.counts), completed?.counts));
    } catch (error) {
      logger.warn('metrics not published', { error });
    }
  }
}
