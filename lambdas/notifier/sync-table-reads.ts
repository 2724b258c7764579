import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MailLookupError } from '../shared/errors';
import { keys } from '../shared/table-schema';
import { membershipView, userView, type MembershipView } from './image-views';
import { errorName } from '../shared/describe-failure';

/*
 * Reads of the sync table at send time. Strongly consistent: the recipient is the user's
 * current primary email, and a deletion committed before the read always stops the mail.
 */

export interface SyncTable {
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableName: string;
}

export type RecipientLookup =
  | { readonly status: 'ready'; readonly email: string; readonly firstName?: string }
  /** Tombstoned, or gone altogether (a tombstone past its TTL). */
  | { readonly status: 'deleted' }
  /** Only a partial item so far: no user event has been applied. */
  | { readonly status: 'not-synced' }
  | { readonly status: 'no-email' }
  /** A primary address Clerk does not report verified: nobody has proved it belongs to the user. */
  | { readonly status: 'unverified' };

export async function readRecipient(table: SyncTable, userId: string): Promise<RecipientLookup> {
  const item = await getItem(table, keys.user(userId), 'user');
  if (item === undefined) return { status: 'not-synced' };
  const user = userView(item);
  if (user === undefined || user.deleted) return { status: 'deleted' };
  if (user.version === undefined) return { status: 'not-synced' };
  const email = typeof item.email === 'string' && item.email !== '' ? item.email : undefined;
  if (email === undefined) return { status: 'no-email' };
  if (!user.emailVerified) return { status: 'unverified' };
  const firstName = typeof item.firstName === 'string' && item.firstName !== '' ? item.firstName : undefined;
  return firstName === undefined ? { status: 'ready', email } : { status: 'ready', email, firstName };
}

/** The membership item of `userId` in `orgId`: the latest membership of any id, or a tombstone. */
export async function readMembership(table: SyncTable, orgId: string, userId: string): Promise<MembershipView | undefined> {
  return membershipView(await getItem(table, keys.membership(orgId, userId), 'membership'));
}

export type OrganizationLookup =
  /** Synced or not yet (`name` absent): an admin welcome may go, naming it when it can. */
  | { readonly status: 'live'; readonly name?: string }
  /** Tombstoned: no admin welcome for it. */
  | { readonly status: 'deleted' };

/** The admin welcome's organization: deleted or not, and its name when it is synced. */
export async function readOrganization(table: SyncTable, orgId: string): Promise<OrganizationLookup> {
  const item = await getItem(table, keys.organization(orgId), 'organization');
  if (item?.deleted === true) return { status: 'deleted' };
  return typeof item?.name === 'string' && item.name.trim() !== '' ? { status: 'live', name: item.name } : { status: 'live' };
}

async function getItem(table: SyncTable, key: { pk: string; sk: string }, what: string): Promise<Record<string, unknown> | undefined> {
  try {
    const { Item } = await table.documentClient.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }));
    return Item;
  } catch (error) {
    throw new MailLookupError(`reading the ${what} from the sync table failed: ${errorName(error)}`, { cause: error });
  }
}
