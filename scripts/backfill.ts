import { type CliCommand, runMain } from './cli/run-main';
import { type BackfillClients, backfillClientsFor, closeBackfillClients } from './backfill/clients';
import { type BackfillOptions, readBackfillOptions } from './backfill/options';
import { backfill } from './backfill/run';
import { BACKFILL_USAGE } from './backfill/usage';

/**
 * `npm run backfill`: fills the sync table from Clerk's Backend API and, with --prune, removes
 * what Clerk no longer has (README, "Backfill and reconciliation"). The sweep itself is
 * lambdas/reconciler, the same code the scheduled reconciliation runs in Lambda; this adds the
 * options, a checkpoint file, a progress line and the summary.
 */

export { type BackfillClients, backfillClientsFor } from './backfill/clients';
export { type BackfillOptions, BackfillUsageError, readBackfillOptions } from './backfill/options';
export { backfill } from './backfill/run';

export const BACKFILL_COMMAND: CliCommand<BackfillOptions, BackfillClients> = {
  name: 'backfill',
  usage: BACKFILL_USAGE,
  readOptions: readBackfillOptions,
  clientsFor: backfillClientsFor,
  closeClients: closeBackfillClients,
  run: backfill,
};

if (require.main === module) runMain(BACKFILL_COMMAND);
