import type { SweepCheckpoint } from '../../lambdas/reconciler/sweep-checkpoint';

const number = (value: number): string => value.toLocaleString('en-US');

/** The lines printed at the end of a run: what the whole sweep did, resumed runs included. */
export function summaryLines(checkpoint: SweepCheckpoint, options: { readonly dryRun: boolean; readonly prune: boolean }, requests: number, seconds: number): string[] {
  const { counts } = checkpoint;
  const would = options.dryRun ? 'would be ' : '';
  const rows: [string, number, string][] = [
    ['listed', counts.listed, 'users, organizations and memberships read from Clerk'],
    ['created', counts.created, `${would}written: the table did not have them`],
    ['updated', counts.updated, `${would}written: the table had an older state`],
    ['unchanged', counts.unchanged, 'the table already had this state'],
    ['skipped', counts.skipped, 'older than the table (a newer webhook, or a deletion)'],
    ...(options.prune ? ([['pruned', counts.pruned, `${would}deleted: gone from Clerk (checked ${number(counts.checked)})`]] as [string, number, string][]) : []),
    ['failed', counts.failed, 'could not be applied (see the lines above)'],
  ];
  const width = Math.max(...rows.map(([, value]) => number(value).length));
  const state = checkpoint.phase === 'done' ? 'done' : `stopped in phase ${checkpoint.phase}`;
  return [
    `backfill ${state} (sweep ${checkpoint.sweepId}, started ${new Date(checkpoint.startedAt).toISOString()}): ` +
      `${number(requests)} requests to Clerk in ${seconds.toFixed(1)} s this run${options.dryRun ? '; dry run, nothing written' : ''}`,
    ...rows.map(([name, value, meaning]) => `  ${name.padEnd(10)}${number(value).padStart(width)}  ${meaning}`),
  ];
}
