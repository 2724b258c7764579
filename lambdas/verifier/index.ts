import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createEmfPublisher, powertoolsSettings } from '../shared/metric-groups';
import { SERVICE_NAMES } from '../shared/metrics-contract';
import { createVerifierHandler } from './create-verifier-handler';
import { createSecretsManagerSecretSource } from './secrets-manager-secret-source';
import { verifierClientsFromEnvironment } from './verifier-clients';
import { readVerifierConfig } from './verifier-config';
import { webhookMetricGroups } from './verifier-metrics';
import type { WebhookOutcome } from './webhook-outcome';

// Configuration is read at cold start so a bad deployment fails loudly before any request.
const config = readVerifierConfig();
const clients = verifierClientsFromEnvironment(config);

const settings = powertoolsSettings(SERVICE_NAMES.verifier);
const logger = new Logger({ serviceName: settings.serviceName });
const metrics = createEmfPublisher(settings);
const now = () => Date.now();

/** One request per invocation, and the handler reports each request once: this flushes once per invocation. */
function publishMetrics(outcome: WebhookOutcome): void {
  try {
    metrics.publish(webhookMetricGroups(outcome));
  } catch (error) {
    // Metrics are observability, never a reason to fail a delivery.
    logger.warn('metrics not published', { error });
  }
}

// Module scope: clients and the secret cache live as long as the Lambda environment.
const verify = createVerifierHandler({
  queue: clients.queue,
  queueUrl: config.queueUrl,
  secrets: createSecretsManagerSecretSource({
    secretsManager: clients.secretsManager,
    secretId: config.signingSecretArn,
    ttlMs: config.secretCacheTtlSeconds * 1000,
    now,
    logger,
  }),
  maxBodyBytes: config.maxBodyBytes,
  allowedInstanceIds: config.allowedInstanceIds,
  allowedSourceIps: config.allowedSourceIps,
  now,
  logger,
  onOutcome: publishMetrics,
});

export async function handler(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> {
  logger.addContext(context);
  return verify(event);
}
