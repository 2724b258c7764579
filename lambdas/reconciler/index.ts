import { boundedDocumentClient } from '../shared/document-client';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { ConfigurationError } from '../shared/errors';
import { createEmfPublisher, powertoolsSettings } from '../shared/metric-groups';
import { SERVICE_NAMES } from '../shared/metrics-contract';
import { clerkSourceFor, type ClerkSource } from './clerk-source';
import { type ReconcileInput, type ReconcileOutput, reconcileInvocation } from './reconcile-invocation';
import { RECONCILER_DEFAULTS, readReconcilerConfig } from './reconciler-config';
import { clientOptions } from '../shared/sdk-client-options';
import { SWEEP_DEFAULTS } from './run-sweep';
import { sweepStateTable } from './sweep-state-table';
import { SYSTEM_CLOCK } from './token-bucket';

// Configuration is read at cold start so a bad deployment fails loudly before any sweep.
const config = readReconcilerConfig();
const settings = powertoolsSettings(SERVICE_NAMES.reconciler);
const logger = new Logger({ serviceName: settings.serviceName });
const metrics = createEmfPublisher(settings);

// Module scope: clients live as long as the Lambda environment.
const documentClient = boundedDocumentClient(RECONCILER_DEFAULTS.awsCalls);
const secrets = new SecretsManagerClient(clientOptions(RECONCILER_DEFAULTS.awsCalls));
const state = sweepStateTable(documentClient, config.stateTableName);
let clerk: Promise<ClerkSource> | undefined;

/** The secret key is read once per environment; a failed read is tried again by the next invocation. */
function clerkSource(): Promise<ClerkSource> {
  clerk ??= (async () => {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: config.secretKeySecretId }));
    const secretKey = SecretString?.trim();
    if (!secretKey) throw new ConfigurationError('the Clerk secret key secret has no value: put the instance\'s sk_live_… key into it');
    return clerkSourceFor(
      { secretKey, apiUrl: config.clerkApiUrl, ...(config.requestsPerSecond === undefined ? {} : { requestsPerSecond: config.requestsPerSecond }) },
      {
        clock: SYSTEM_CLOCK,
        onRetry: ({ what, failure, delayMs, attempt }) =>
          logger.warn('Clerk request retried', { request: what, status: failure.status, reason: failure.detail, delayMs, attempt }),
      },
    );
  })();
  clerk.catch(() => {
    clerk = undefined;
  });
  return clerk;
}

export async function handler(event: ReconcileInput, context: Context): Promise<ReconcileOutput> {
  logger.addContext(context);
  return reconcileInvocation(
    {
      state,
      sweepDeps: async () => ({
        clerk: await clerkSource(),
        table: { documentClient, tableName: config.tableName, tombstoneTtlDays: config.tombstoneTtlDays },
        onFailure: (failure) => logger.error('entity not applied', { ...failure }),
      }),
      settings: { ...SWEEP_DEFAULTS, prune: config.prune, dryRun: false },
      clock: SYSTEM_CLOCK,
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
      logger,
      metrics,
    },
    event,
  );
}
