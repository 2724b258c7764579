import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createEmfPublisher, powertoolsSettings } from '../shared/metric-groups';
import { SERVICE_NAMES } from '../shared/metrics-contract';
import { createNotifierHandler } from './create-notifier-handler';
import { mailOutcomeMetricGroups } from './mail-outcome-metrics';
import { createNotifierDocumentClient } from './notifier-clients';
import { NOTIFIER_DEFAULTS, readNotifierConfig } from './notifier-config';
import type { MailOutcome, NotifierDeps } from './notifier-deps';
import { createNotifierSesClient } from './ses-client';
import { createSesMailSender } from './ses-mail-sender';

// Configuration is read at cold start so a bad deployment fails loudly before any batch.
const config = readNotifierConfig();
const settings = powertoolsSettings(SERVICE_NAMES.notifier);
const logger = new Logger({ serviceName: settings.serviceName });
const metrics = createEmfPublisher(settings);

// Module scope: clients live as long as the Lambda environment.
const deps: NotifierDeps = {
  documentClient: createNotifierDocumentClient(),
  tableName: config.tableName,
  ledgerTableName: config.ledgerTableName,
  sender: createSesMailSender({
    client: createNotifierSesClient(),
    from: config.mailFrom,
    ...(config.configurationSetName === undefined ? {} : { configurationSetName: config.configurationSetName }),
  }),
  now: Date.now,
  logger,
  appName: config.appName,
  adminRoles: config.adminRoles,
  welcomeMaxAgeDays: config.welcomeMaxAgeDays,
  leaseMs: NOTIFIER_DEFAULTS.leaseMs,
  sendMarginMs: NOTIFIER_DEFAULTS.sendMarginMs,
};

export async function handler(event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> {
  logger.addContext(context);
  // Collected per invocation, flushed once at the end, whatever happened.
  const outcomes: MailOutcome[] = [];
  try {
    return await createNotifierHandler({
      ...deps,
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
      onOutcome: (outcome) => outcomes.push(outcome),
    })(event);
  } finally {
    try {
      metrics.publish(mailOutcomeMetricGroups(outcomes));
    } catch (error) {
      // Metrics are observability, never a reason to retry a batch whose mails went out.
      logger.warn('metrics not published', { error });
    }
  }
}
