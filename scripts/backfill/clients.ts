import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { clerkSourceFor, type ClerkSource } from '../../lambdas/reconciler/clerk-source';
import { type Clock, SYSTEM_CLOCK } from '../../lambdas/reconciler/token-bucket';
import { awsClientConfig } from '../cli/aws-client-config';
import type { BackfillOptions } from './options';

export interface BackfillClients {
  readonly dynamoDb: DynamoDBClient;
  readonly clerk: ClerkSource;
  readonly clock: Clock;
  /** Aborted by Ctrl-C: the sweep stops after the page in hand, its checkpoint saved. */
  readonly stop: AbortSignal;
  /** Where the progress line goes; rewritten in place on a terminal. */
  readonly terminal: { readonly isTTY: boolean; write(text: string): void };
  /** Undoes what the clients set up (the Ctrl-C handler). */
  readonly dispose?: () => void;
}

export function backfillClientsFor(options: BackfillOptions): BackfillClients {
  const stopper = new AbortController();
  const onSigint = (): void => {
    if (stopper.signal.aborted) process.exit(130);
    process.stderr.write('\nbackfill: stopping after the page in hand (Ctrl-C again to quit at once; the last checkpoint stays)\n');
    stopper.abort();
  };
  process.on('SIGINT', onSigint);
  return {
    dynamoDb: new DynamoDBClient(awsClientConfig(options)),
    clerk: clerkSourceFor(
      {
        secretKey: options.secretKey,
        apiUrl: options.apiUrl,
        ...(options.requestsPerSecond === undefined ? {} : { requestsPerSecond: options.requestsPerSecond }),
      },
      {
        clock: SYSTEM_CLOCK,
        onRetry: ({ what, failure, delayMs, attempt }) =>
          process.stderr.write(
            `${process.stderr.isTTY ? '\n' : ''}backfill: ${what}: ${failure.status === undefined ? 'no answer' : `HTTP ${failure.status}`}, retry ${attempt} in ${(delayMs / 1000).toFixed(1)} s\n`,
          ),
      },
    ),
    clock: SYSTEM_CLOCK,
    stop: stopper.signal,
    terminal: { isTTY: process.stdout.isTTY === true, write: (text) => process.stdout.write(text) },
    dispose: () => process.off('SIGINT', onSigint),
  };
}

export function closeBackfillClients(clients: BackfillClients): void {
  clients.dispose?.();
  clients.dynamoDb.destroy();
}
