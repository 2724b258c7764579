import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { retryFrom } from '../shared/stream-batch-failure';
import { describeFailure } from '../shared/describe-failure';
import { handleAdminWelcome, handleWelcome, type TriggerContext } from './handle-triggers';
import { MailOutcomeReporter } from './mail-outcomes';
import { mailTriggersFor, type MailTrigger, type TriggerConfig } from './mail-triggers';
import { NOTIFIER_DEFAULTS } from './notifier-config';
import type { NotifierDeps } from './notifier-deps';
import { recordLog } from './record-log';
import { decodeStreamRecord } from './stream-change';

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The notifier: turns committed changes of the sync table into mails, each at most once
 * (docs/notifications.md). Records are handled in stream order, one at a time; at the first
 * record that fails, the batch stops and that record's sequence number is reported, so the
 * event source checkpoints everything before it and retries from there.
 */
export function createNotifierHandler(deps: NotifierDeps): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  const config: TriggerConfig = {
    adminRoles: deps.adminRoles ?? NOTIFIER_DEFAULTS.adminRoles,
    welcomeMaxAgeDays: deps.welcomeMaxAgeDays ?? NOTIFIER_DEFAULTS.welcomeMaxAgeDays,
  };
  const shared: Omit<TriggerContext, 'report' | 'logger'> = {
    syncTable: { documentClient: deps.documentClient, tableName: deps.tableName },
    ledger: { documentClient: deps.documentClient, ledgerTableName: deps.ledgerTableName },
    sender: deps.sender,
    now: deps.now,
    sleep: deps.sleep ?? realSleep,
    remainingTimeMs: deps.remainingTimeMs ?? (() => Number.POSITIVE_INFINITY),
    leaseMs: deps.leaseMs ?? NOTIFIER_DEFAULTS.leaseMs,
    sendMarginMs: deps.sendMarginMs ?? NOTIFIER_DEFAULTS.sendMarginMs,
    appName: deps.appName ?? NOTIFIER_DEFAULTS.appName,
    adminRoles: config.adminRoles,
  };

  /** false: the record failed and must be retried. */
  const handleRecord = async (record: DynamoDBRecord): Promise<boolean> => {
    const logger = recordLog(deps.logger, { streamEventId: record.eventID, sequenceNumber: record.dynamodb?.SequenceNumber });
    let triggers: MailTrigger[];
    try {
      const change = decodeStreamRecord(record);
      if (change === undefined) return true;
      triggers = mailTriggersFor(change, config, deps.now());
    } catch (error) {
      logger.error('stream record could not be decoded', { reason: describeFailure(error) });
      return false;
    }
    const context: TriggerContext = { ...shared, logger, report: new MailOutcomeReporter(logger, record.eventID, deps.onOutcome) };
    for (const trigger of triggers) {
      const handled = trigger.kind === 'welcome' ? await handleWelcome(context, trigger) : await handleAdminWelcome(context, trigger);
      if (!handled) return false;
    }
    return true;
  };

  return async (event) => {
    for (const record of event.Records) {
      if (await handleRecord(record)) continue;
      return retryFrom(record);
    }
    return { batchItemFailures: [] };
  };
}
