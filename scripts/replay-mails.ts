import { type CliCommand, runMain } from './cli/run-main';
import { closeReplayMailsClients, type ReplayMailsClients, replayMailsClientsFor } from './replay-mails/clients';
import { readReplayMailsOptions, type ReplayMailsOptions } from './replay-mails/options';
import { replayMails } from './replay-mails/run';
import { REPLAY_MAILS_USAGE } from './replay-mails/usage';

/**
 * `npm run replay-mails`: sends the mails of the stream batches the notifier gave up on.
 *
 * When the notifier's stream event source exhausts its retries (or a record outgrows
 * maxRecordAge), Lambda puts only the batch's position (shard, first and last sequence number,
 * stream ARN) into the mail failure queue; the mails were not sent. The stream keeps the records
 * for 24 hours. This reads each failure message, reads that range of the stream again, and runs
 * the records through the same notifier code as the Lambda (createNotifierHandler): the ledger
 * skips every mail that already went out, so a replay can be repeated freely. A message is
 * deleted only once its whole range was handled without a failing record.
 */

export type { ReplayMailsClients, ReplayMailsIo } from './replay-mails/clients';
export { parseFailureMessage } from './replay-mails/failure-message';
export { readReplayMailsOptions, type ReplayMailsOptions, ReplayMailsUsageError } from './replay-mails/options';
export { replayMails } from './replay-mails/run';

export const REPLAY_MAILS_COMMAND: CliCommand<ReplayMailsOptions, ReplayMailsClients> = {
  name: 'replay-mails',
  usage: REPLAY_MAILS_USAGE,
  readOptions: readReplayMailsOptions,
  clientsFor: replayMailsClientsFor,
  closeClients: closeReplayMailsClients,
  run: replayMails,
};

if (require.main === module) runMain(REPLAY_MAILS_COMMAND);
