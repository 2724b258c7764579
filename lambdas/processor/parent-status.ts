import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ItemKey, keys, MEMBER_ORG_IDS_ATTRIBUTE, STUB_SINCE_ATTRIBUTE } from '../shared/table-schema';
import { deleteItem } from './cascade-delete';
import type { ApplyContext } from './apply-context';
import { conditionalWrite } from '../shared/conditional-write';
import { deletedName, NOT_DELETED } from './conditions';

/**
 * Children (sessions, memberships) are written first and their parents checked after, with
 * strongly consistent operations. A concurrent parent deletion is then always caught: either
 * its cascade (which starts after its tombstone) sees our child, or our check sees its tombstone.
 */

export type ParentStatus = 'alive' | 'deleted';

/**
 * Read before a child is written (unless `readParentsFirst` is off: then nothing is read and
 * `undefined` returned). A child whose parent is already deleted is not written at all:
 * a late or repeated event about it then changes nothing, not even for a moment, so the table's
 * stream shows nothing either (docs/change-events.md). The check after the write is still what
 * catches a deletion that lands between the two, and without this read it alone removes such a
 * child again: the table ends the same, only its stream shows the child come and go.
 *
 * Under a deleted parent the child's key is deleted instead, unconditionally. Usually nothing is
 * there (and deleting nothing leaves the stream untouched), but an earlier attempt of this event
 * may have written the child and failed before its check after the write, and the parent's
 * cascade may have missed it (a membership whose registration on the user was never written):
 * this retry is then what removes it, as the check after the write would have.
 */
export async function removeUnderDeletedParent(
  context: ApplyContext,
  parents: { readonly userId: string; readonly orgId?: string },
  child: ItemKey,
): Promise<'user deleted' | 'organization deleted' | undefined> {
  if (!context.readParentsFirst) return undefined;
  const [user, organization] = await Promise.all([
    profileStatus(context, keys.user(parents.userId)),
    parents.orgId === undefined ? 'alive' : profileStatus(context, keys.organization(parents.orgId)),
  ]);
  const deleted = user === 'deleted' ? 'user deleted' : organization === 'deleted' ? 'organization deleted' : undefined;
  if (deleted !== undefined) await deleteItem(context, child);
  return deleted;
}

// The first of these writes to reach a profile records when (see STUB_SINCE_ATTRIBUTE); the same write, no extra one.
const STUB_SINCE = '#stubSince = if_not_exists(#stubSince, :now)';
const stubSinceName = { '#stubSince': STUB_SINCE_ATTRIBUTE } as const;

/** Strongly consistent: reflects every tombstone written before the call. */
export async function profileStatus(context: ApplyContext, key: { pk: string; sk: string }): Promise<ParentStatus> {
  const { Item } = await context.documentClient.send(
    new GetCommand({
      TableName: context.tableName,
      Key: key,
      ConsistentRead: true,
      ProjectionExpression: '#deleted',
      ExpressionAttributeNames: { '#deleted': 'deleted' },
    }),
  );
  return Item?.deleted === true ? 'deleted' : 'alive';
}

/**
 * Raises the user's `lastSeenAt` (never lowers it). Creates a stub profile when the user's
 * own events have not arrived yet; `user.created` fills it in later without losing it.
 */
export async function raiseLastSeenAt(context: ApplyContext, userId: string, lastSeenAt: string): Promise<ParentStatus> {
  const outcome = await conditionalWrite(() =>
    context.documentClient.send(
      new UpdateCommand({
        TableName: context.tableName,
        Key: keys.user(userId),
        UpdateExpression: `SET #lastSeenAt = :lastSeenAt, #type = :type, #id = :id, ${STUB_SINCE}`,
        ConditionExpression: `${NOT_DELETED} AND (attribute_not_exists(#lastSeenAt) OR #lastSeenAt < :lastSeenAt)`,
        ExpressionAttributeNames: { '#lastSeenAt': 'lastSeenAt', '#type': 'type', '#id': 'id', ...stubSinceName, ...deletedName },
        ExpressionAttributeValues: { ':lastSeenAt': lastSeenAt, ':type': 'user', ':id': userId, ':now': context.nowMillis },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
  );
  return !outcome.written && outcome.old?.deleted === true ? 'deleted' : 'alive';
}

/**
 * Records on the user's profile that the user has a membership in `orgId`, unless the user is
 * deleted. The user's deletion reads this set with the same write that tombstones the profile,
 * so every membership registered before it is cascaded and every later one sees 'deleted'.
 */
export async function registerMembershipWithUser(
  context: ApplyContext,
  userId: string,
  orgId: string,
): Promise<ParentStatus> {
  const outcome = await conditionalWrite(() =>
    context.documentClient.send(
      new UpdateCommand({
        TableName: context.tableName,
        Key: keys.user(userId),
        UpdateExpression: `ADD #memberOrgIds :orgIds SET #type = :type, #id = :id, ${STUB_SINCE}`,
        ConditionExpression: NOT_DELETED,
        ExpressionAttributeNames: {
          '#memberOrgIds': MEMBER_ORG_IDS_ATTRIBUTE,
          '#type': 'type',
          '#id': 'id',
          ...stubSinceName,
          ...deletedName,
        },
        ExpressionAttributeValues: { ':orgIds': new Set([orgId]), ':type': 'user', ':id': userId, ':now': context.nowMillis },
      }),
    ),
  );
  return outcome.written ? 'alive' : 'deleted';
}
