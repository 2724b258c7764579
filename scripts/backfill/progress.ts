import type { SweepProgress } from '../../lambdas/reconciler/run-sweep';
import type { SweepCounts, SweepPhase } from '../../lambdas/reconciler/sweep-checkpoint';
import type { Clock } from '../../lambdas/reconciler/token-bucket';
import { formatAge } from '../cli/format';
import type { BackfillClients } from './clients';

/** Plain lines (a log, a pipe) come at most this often, and at every change of phase. */
const PLAIN_LINE_INTERVAL_MS = 5_000;

export interface ProgressLine {
  page(progress: SweepProgress): void;
  /** Ends the line being rewritten, before anything else is printed. */
  end(): void;
}

const number = (value: number): string => value.toLocaleString('en-US');

/**
 * One line of progress: entities done, their rate, and an estimate of what is left of the
 * current list. On a terminal it is rewritten in place; elsewhere it is printed now and then.
 */
export function progressLine(terminal: BackfillClients['terminal'], clock: Clock, resumedFrom: SweepCounts, dryRun: boolean): ProgressLine {
  const startedAt = clock.now();
  let shown = false;
  let lastPlainAt = Number.NEGATIVE_INFINITY;
  let lastPhase: SweepPhase | undefined;
  return {
    page({ checkpoint, phase, remainingInPhase }) {
      const { counts } = checkpoint;
      const done = counts.listed + counts.checked - resumedFrom.listed - resumedFrom.checked;
      const seconds = Math.max(0.001, (clock.now() - startedAt) / 1000);
      const rate = done / seconds;
      const verb = dryRun ? 'would be ' : '';
      const parts =
        phase === 'prune'
          ? [`prune`, `${number(counts.checked)} checked`, `${number(counts.pruned)} ${verb}pruned`]
          : [
              phase,
              `${number(counts.listed)} listed`,
              `${number(counts.created)} ${verb}created`,
              `${number(counts.updated)} ${verb}updated`,
              `${number(counts.unchanged)} unchanged`,
            ];
      parts.push(`${number(Math.round(rate))}/s`);
      if (remainingInPhase !== undefined && remainingInPhase > 0 && rate > 0) {
        parts.push(`~${formatAge((remainingInPhase / rate) * 1000)} left in ${phase}`);
      }
      const line = parts.join(' · ');
      if (terminal.isTTY) {
        terminal.write(`\r\x1b[2K${line}`);
        shown = true;
      } else if (phase !== lastPhase || clock.now() - lastPlainAt >= PLAIN_LINE_INTERVAL_MS) {
        terminal.write(`${line}\n`);
        lastPlainAt = clock.now();
      }
      lastPhase = phase;
    },
    end() {
      if (shown) terminal.write('\n');
      shown = false;
    },
  };
}
