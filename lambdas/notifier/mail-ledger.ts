import { DeleteCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { conditionalWrite, type WriteOutcome } from '../shared/conditional-write';
import { LedgerWriteError, MailLookupError } from '../shared/errors';
import { ledgerKeys, type LedgerEntry, type MailKind } from '../shared/mail-ledger-schema';
import { isoFromMillis } from '../shared/table-schema';
import { errorName } from '../shared/describe-failure';

/*
 * The mail ledger's conditional writes (docs/notifications.md, "Exactly once: the ledger").
 * Every write that decides who may send is conditional; a failed condition is an answer
 * (returned as a value), any other failure is a LedgerWriteError.
 */

export interface LedgerTable {
  readonly documentClient: DynamoDBDocumentClient;
  readonly ledgerTableName: string;
}

/** Which mail: its ledger key and the ids stored with it. */
export interface MailRef {
  readonly kind: MailKind;
  readonly userId: string;
  readonly orgId?: string;
  readonly membershipId?: string;
}

export type ClaimResult =
  | { readonly status: 'claimed'; readonly claimToken: string; readonly leaseExpiresAt: number; readonly attempts: number }
  | { readonly status: 'sent' }
  /** Another attempt's `sending` claim whose lease has not ended. */
  | { readonly status: 'held'; readonly leaseExpiresAt: number }
  /** The claim condition failed on an item that is gone by now (a release in between): try again. */
  | { readonly status: 'contended' };

export function ledgerKeyOf(mail: MailRef): { pk: string } {
  if (mail.kind === 'welcome') return ledgerKeys.welcome(mail.userId);
  if (mail.membershipId === undefined) throw new TypeError('an admin welcome needs its membership id');
  return ledgerKeys.adminWelcome(mail.membershipId);
}

/**
 * Claim before send: succeeds only when nobody has claimed the mail, or the last claim is a
 * `sending` one whose lease has ended (its attempt crashed). A `sent` item is never claimed.
 */
export async function claimMail(ledger: LedgerTable, mail: MailRef, now: number, leaseMs: number): Promise<ClaimResult> {
  const claimToken = randomUUID();
  const leaseExpiresAt = now + leaseMs;
  const names: Record<string, string> = {
    '#status': 'status',
    '#claimToken': 'claimToken',
    '#leaseExpiresAt': 'leaseExpiresAt',
    '#attempts': 'attempts',
    '#kind': 'kind',
    '#userId': 'userId',
  };
  const values: Record<string, unknown> = {
    ':sending': 'sending',
    ':claimToken': claimToken,
    ':leaseExpiresAt': leaseExpiresAt,
    ':now': now,
    ':one': 1,
    ':kind': mail.kind,
    ':userId': mail.userId,
  };
  const sets = ['#status = :sending', '#claimToken = :claimToken', '#leaseExpiresAt = :leaseExpiresAt', '#kind = :kind', '#userId = :userId'];
  for (const name of ['orgId', 'membershipId'] as const) {
    const value = mail[name];
    if (value === undefined) continue;
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    sets.push(`#${name} = :${name}`);
  }

  let outcome: WriteOutcome;
  try {
    outcome = await conditionalWrite(() =>
      ledger.documentClient.send(
        new UpdateCommand({
          TableName: ledger.ledgerTableName,
          Key: ledgerKeyOf(mail),
          UpdateExpression: `SET ${sets.join(', ')} ADD #attempts :one`,
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :sending AND #leaseExpiresAt < :now)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
  } catch (error) {
    throw ledgerWriteError('claim', error);
  }
  if (outcome.written) return { status: 'claimed', claimToken, leaseExpiresAt, attempts: Number(outcome.attributes?.attempts ?? 1) };
  const old = outcome.old as Partial<LedgerEntry> | undefined;
  if (old === undefined) return { status: 'contended' };
  if (old.status === 'sent') return { status: 'sent' };
  return { status: 'held', leaseExpiresAt: Number(old.leaseExpiresAt) };
}

/** Records the mail as sent, if our claim still stands. `false`: another attempt took the claim over meanwhile. */
export async function markMailSent(
  ledger: LedgerTable,
  mail: MailRef,
  claimToken: string,
  sentAt: number,
  messageId: string,
): Promise<boolean> {
  try {
    const outcome = await conditionalWrite(() =>
      ledger.documentClient.send(
        new UpdateCommand({
          TableName: ledger.ledgerTableName,
          Key: ledgerKeyOf(mail),
          UpdateExpression: 'SET #status = :sent, #sentAt = :sentAt, #messageId = :messageId',
          ConditionExpression: '#claimToken = :claimToken',
          ExpressionAttributeNames: { '#status': 'status', '#sentAt': 'sentAt', '#messageId': 'messageId', '#claimToken': 'claimToken' },
          ExpressionAttributeValues: { ':sent': 'sent', ':sentAt': isoFromMillis(sentAt), ':messageId': messageId, ':claimToken': claimToken },
        }),
      ),
    );
    return outcome.written;
  } catch (error) {
    throw ledgerWriteError('mark sent', error);
  }
}

/** Gives up our claim so that the retry can claim at once. `false`: it was no longer ours. */
export async function releaseClaim(ledger: LedgerTable, mail: MailRef, claimToken: string): Promise<boolean> {
  try {
    const outcome = await conditionalWrite(() =>
      ledger.documentClient.send(
        new DeleteCommand({
          TableName: ledger.ledgerTableName,
          Key: ledgerKeyOf(mail),
          ConditionExpression: '#claimToken = :claimToken AND #status = :sending',
          ExpressionAttributeNames: { '#claimToken': 'claimToken', '#status': 'status' },
          ExpressionAttributeValues: { ':claimToken': claimToken, ':sending': 'sending' },
        }),
      ),
    );
    return outcome.written;
  } catch (error) {
    throw ledgerWriteError('release', error);
  }
}

// --- Admin welcomes waiting for their user (entries `<orgId>|<membershipId>`). ---

export interface PendingAdminWelcome {
  readonly orgId: string;
  readonly membershipId: string;
}

const PENDING_SEPARATOR = '|';

export function pendingEntry({ orgId, membershipId }: PendingAdminWelcome): string {
  return `${orgId}${PENDING_SEPARATOR}${membershipId}`;
}

/** Clerk ids never contain `|`; an entry that does not split in two is not ours and is skipped. */
export function parsePendingEntry(entry: string): PendingAdminWelcome | undefined {
  const parts = entry.split(PENDING_SEPARATOR);
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  return { orgId: parts[0]!, membershipId: parts[1]! };
}

export async function addPendingAdminWelcome(ledger: LedgerTable, userId: string, pending: PendingAdminWelcome): Promise<void> {
  await updatePending(ledger, userId, 'ADD', pending, 'add pending admin welcome');
}

export async function removePendingAdminWelcome(ledger: LedgerTable, userId: string, pending: PendingAdminWelcome): Promise<void> {
  await updatePending(ledger, userId, 'DELETE', pending, 'remove pending admin welcome');
}

/** Strongly consistent: must see every entry added before the user's first appearance was committed. */
export async function readPendingAdminWelcomes(ledger: LedgerTable, userId: string): Promise<string[]> {
  try {
    const { Item } = await ledger.documentClient.send(
      new GetCommand({ TableName: ledger.ledgerTableName, Key: ledgerKeys.pendingAdminWelcomes(userId), ConsistentRead: true }),
    );
    const memberships: unknown = Item?.memberships;
    return memberships instanceof Set ? [...memberships].filter((entry): entry is string => typeof entry === 'string').sort() : [];
  } catch (error) {
    throw new MailLookupError(`reading the pending admin welcomes failed: ${errorName(error)}`, { cause: error });
  }
}

async function updatePending(
  ledger: LedgerTable,
  userId: string,
  action: 'ADD' | 'DELETE',
  pending: PendingAdminWelcome,
  operation: string,
): Promise<void> {
  try {
    await ledger.documentClient.send(
      new UpdateCommand({
        TableName: ledger.ledgerTableName,
        Key: ledgerKeys.pendingAdminWelcomes(userId),
        // DynamoDB drops a string set that becomes empty; the item keeps only its key.
        UpdateExpression: `${action} #memberships :entries`,
        ExpressionAttributeNames: { '#memberships': 'memberships' },
        ExpressionAttributeValues: { ':entries': new Set([pendingEntry(pending)]) },
      }),
    );
  } catch (error) {
    throw ledgerWriteError(operation, error);
  }
}

function ledgerWriteError(operation: string, error: unknown): LedgerWriteError {
  return new LedgerWriteError(`mail ledger ${operation} failed: ${errorName(error)}`, { cause: error });
}
