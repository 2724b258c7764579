import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MailKind } from '../shared/mail-ledger-schema';
import type { MailSkipReason } from '../shared/metrics-contract';
import type { MailSender } from './mail-sender';

/** What one trigger came to, reported per mail (metrics, the local console, tests). */
export interface MailOutcome {
  readonly kind: MailKind;
  readonly userId: string;
  readonly orgId?: string;
  readonly membershipId?: string;
  readonly result: 'sent' | 'skipped' | 'failed';
  readonly reason?: MailSkipReason | string;
  /** Set when sent. */
  readonly messageId?: string;
  /** The stream record's eventID. */
  readonly streamEventId?: string;
}

export interface NotifierDeps {
  readonly documentClient: DynamoDBDocumentClient;
  /** The sync table: users and memberships are read from it at send time (consistent reads). */
  readonly tableName: string;
  /** The mail ledger (lambdas/shared/mail-ledger-schema.ts). */
  readonly ledgerTableName: string;
  readonly sender: MailSender;
  /** Epoch ms. */
  readonly now: () => number;
  readonly logger: Logger;
  /** Shown in the templates. @default NOTIFIER_DEFAULTS.appName */
  readonly appName?: string;
  /** Membership roles that get an admin welcome. @default NOTIFIER_DEFAULTS.adminRoles */
  readonly adminRoles?: readonly string[];
  /** @default NOTIFIER_DEFAULTS.welcomeMaxAgeDays */
  readonly welcomeMaxAgeDays?: number;
  /** @default NOTIFIER_DEFAULTS.leaseMs */
  readonly leaseMs?: number;
  /** @default NOTIFIER_DEFAULTS.sendMarginMs */
  readonly sendMarginMs?: number;
  /** Waits; tests pass a fake. @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Time left in the invocation, ms (Lambda's context.getRemainingTimeInMillis). @default unlimited */
  readonly remainingTimeMs?: () => number;
  readonly onOutcome?: (outcome: MailOutcome) => void;
}
