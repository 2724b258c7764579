import path from 'node:path';
import { parseAdminRoles, parseMailAddress } from '../../lambdas/notifier/notifier-config';
import { ConfigurationError } from '../../lambdas/shared/errors';
import { LOCAL_DEFAULTS, MAILBOX_DIR_ENV } from '../../lib/local-names';
import { LOCAL_MAIL_FROM } from '../../lambdas/notifier/mailbox-mail-sender';
import { blankToUndefined, type Fail, failWith, httpUrl, parseFlags, positiveInteger, switchFlag, tableName, valueFlag } from '../cli/args';
import { regionFromEnv, regionOfQueueUrl } from '../cli/aws-client-config';
import {
  LOCAL_REGION,
  localDynamoDbEndpoint,
  localEventQueueName,
  localLedgerTableName,
  localNotifierFailureQueueName,
  localSqsEndpoint,
  localTableName,
} from '../cli/local-pipeline';
import type { QueueRef } from '../cli/sqs-queue';

export class ReplayMailsUsageError extends Error {}

export interface ReplayMailsOptions {
  readonly failureQueue: QueueRef;
  readonly tableName: string;
  readonly ledgerTableName: string;
  readonly from: string;
  readonly appName?: string;
  readonly adminRoles?: readonly string[];
  readonly welcomeMaxAgeDays?: number;
  readonly configurationSetName?: string;
  /** Mails become .eml files here instead of SES sends. */
  readonly mailboxDir?: string;
  readonly dryRun: boolean;
  readonly discardExpired: boolean;
  /** SQS, DynamoDB and DynamoDB Streams. */
  readonly endpoint?: string;
  /** SQS only; wins over `endpoint`. */
  readonly sqsEndpoint?: string;
  readonly region?: string;
  /** The local engines: fixed dummy credentials instead of the default chain. */
  readonly local: boolean;
  readonly verbose: boolean;
}

/** The notifier's own rule (lambdas/notifier/mail-address.ts); the value is never echoed: the rule says no addresses in the output. */
function fromAddress(raw: string, flag: string, fail: Fail): string {
  try {
    parseMailAddress(raw, flag);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    fail(`${flag} must be an address, name@domain or "Name <name@domain>"`);
  }
  return raw;
}

/** The notifier's own parser: what the stack would refuse, the script refuses too. */
function adminRoles(raw: string, flag: string, fail: Fail): readonly string[] {
  try {
    return parseAdminRoles(raw, flag);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    return fail(error.message);
  }
}

const REPLAY_MAILS_FLAGS = {
  failureQueueUrl: valueFlag('--failure-queue-url', httpUrl),
  tableName: valueFlag('--table', tableName),
  ledgerTableName: valueFlag('--ledger-table', tableName),
  from: valueFlag('--from', fromAddress),
  appName: valueFlag('--app-name'),
  adminRoles: valueFlag('--admin-roles', adminRoles),
  welcomeMaxAgeDays: valueFlag('--welcome-max-age-days', positiveInteger()),
  configurationSetName: valueFlag('--configuration-set'),
  mailboxDir: valueFlag('--mailbox-dir', (raw) => path.resolve(raw)),
  dryRun: switchFlag('--dry-run'),
  discardExpired: switchFlag('--discard-expired'),
  endpoint: valueFlag('--endpoint-url', httpUrl),
  sqsEndpoint: valueFlag('--sqs-endpoint-url', httpUrl),
  region: valueFlag('--region'),
  local: switchFlag('--local'),
  verbose: switchFlag('--verbose'),
};

export function readReplayMailsOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ReplayMailsOptions | 'help' {
  const flags = parseFlags(argv, REPLAY_MAILS_FLAGS, { usageError: ReplayMailsUsageError, strictValues: true });
  if (flags === 'help') return 'help';
  const { failureQueueUrl, ledgerTableName, from, mailboxDir, dryRun, discardExpired, endpoint, sqsEndpoint, verbose } = flags;
  const region = flags.region ?? regionFromEnv(env);
  const optional = {
    ...(flags.appName === undefined ? {} : { appName: flags.appName }),
    ...(flags.adminRoles === undefined ? {} : { adminRoles: flags.adminRoles }),
    ...(flags.welcomeMaxAgeDays === undefined ? {} : { welcomeMaxAgeDays: flags.welcomeMaxAgeDays }),
    ...(flags.configurationSetName === undefined ? {} : { configurationSetName: flags.configurationSetName }),
  };
  if (flags.local) {
    // The names and ports of `npm start` (lib/local-names.ts).
    const table = flags.tableName ?? tableName(localTableName(env), 'TABLE_NAME', failWith(ReplayMailsUsageError));
    return {
      ...optional,
      failureQueue: failureQueueUrl === undefined ? { name: localNotifierFailureQueueName(localEventQueueName(table)) } : { url: failureQueueUrl },
      tableName: table,
      ledgerTableName: ledgerTableName ?? localLedgerTableName(table),
      from: from ?? LOCAL_MAIL_FROM,
      mailboxDir: mailboxDir ?? path.resolve(blankToUndefined(env[MAILBOX_DIR_ENV]) ?? LOCAL_DEFAULTS.mailboxDir),
      dryRun,
      discardExpired,
      endpoint: endpoint ?? localDynamoDbEndpoint(env),
      sqsEndpoint: sqsEndpoint ?? localSqsEndpoint(env),
      region: region ?? LOCAL_REGION,
      local: true,
      verbose,
    };
  }

  const missing = [
    failureQueueUrl === undefined ? '--failure-queue-url (stack output MailFailureQueueUrl)' : undefined,
    flags.tableName === undefined ? '--table (stack output TableName)' : undefined,
    ledgerTableName === undefined ? '--ledger-table (stack output LedgerTableName)' : undefined,
    from === undefined ? "--from (the stack's sender address)" : undefined,
  ].filter((entry): entry is string => entry !== undefined);
  if (missing.length > 0) throw new ReplayMailsUsageError(`missing ${missing.join(', ')}; --local for npm start; see --help`);
  if (flags.tableName === ledgerTableName) throw new ReplayMailsUsageError('--table and --ledger-table name the same table');
  const resolvedRegion = region ?? regionOfQueueUrl(failureQueueUrl!);
  return {
    ...optional,
    failureQueue: { url: failureQueueUrl! },
    tableName: flags.tableName!,
    ledgerTableName: ledgerTableName!,
    from: from!,
    ...(mailboxDir === undefined ? {} : { mailboxDir }),
    dryRun,
    discardExpired,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(sqsEndpoint === undefined ? {} : { sqsEndpoint }),
    ...(resolvedRegion === undefined ? {} : { region: resolvedRegion }),
    local: false,
    verbose,
  };
}
