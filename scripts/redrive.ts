import type { SQSClient } from '@aws-sdk/client-sqs';
import { type CliCommand, runMain } from './cli/run-main';
import { closeRedriveClients, redriveClientsFor } from './redrive/clients';
import { readRedriveOptions, type RedriveOptions } from './redrive/options';
import { redrive } from './redrive/run';
import { REDRIVE_USAGE } from './redrive/usage';

/**
 * `npm run redrive`: moves the messages of the dead-letter queue back to the event queue, where
 * the processor applies them again. Safe to repeat: the processor is idempotent per svix id.
 *
 * On AWS it starts an SQS message move task (StartMessageMoveTask, what the console's "Start DLQ
 * redrive" does) and follows it. Where the endpoint has no move tasks (the local emulator), or
 * with --copy / --max, it moves message by message: send to the queue first, delete from the DLQ
 * only once the send succeeded. Bodies and message attributes are moved unchanged, the processor's
 * `errorReason` included, exactly as a move task does: which path ran never shows in the result,
 * and the reason of the last dead-lettering stays visible until the processor replaces it.
 */

export type { RedriveIo } from './redrive/clients';
export { readRedriveOptions, type RedriveOptions, RedriveUsageError } from './redrive/options';
export { redrive } from './redrive/run';

export const REDRIVE_COMMAND: CliCommand<RedriveOptions, SQSClient> = {
  name: 'redrive',
  usage: REDRIVE_USAGE,
  readOptions: readRedriveOptions,
  clientsFor: redriveClientsFor,
  closeClients: closeRedriveClients,
  run: redrive,
};

if (require.main === module) runMain(REDRIVE_COMMAND);
