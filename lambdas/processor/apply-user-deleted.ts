import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { EMAIL_VERIFIED_ATTRIBUTE, isoFromMillis, keys, MEMBER_ORG_IDS_ATTRIBUTE, queries, TABLE_KEYS } from '../shared/table-schema';
import { resultOfWrite, type ApplyContext, type DeletionResult } from './apply-context';
import { CascadeBudget, deleteChildren, deleteInRounds } from './cascade-delete';
import { conditionalWrite } from '../shared/conditional-write';
import { deletedName, NOT_DELETED, orderingNames, orderingValues } from './conditions';
import { tombstoneTtl } from './tombstone-ttl';
import { USER_PROFILE_ATTRIBUTES } from './user-profile';

// Everything that is personal data or an index entry goes; type, id and bookkeeping stay.
const REMOVED_ON_DELETION = [
  ...USER_PROFILE_ATTRIBUTES,
  EMAIL_VERIFIED_ATTRIBUTE,
  'lastSeenAt',
  TABLE_KEYS.gsi1.partitionKey,
  TABLE_KEYS.gsi1.sortKey,
] as const;

/**
 * user.deleted: tombstone the profile (terminal), then delete the user's sessions and
 * memberships, as far as `context.cascade` allows. The cascade also runs when the tombstone
 * already exists, so a retry, or the continuation of a cascade that ran out of budget,
 * finishes what an earlier call left.
 */
export async function applyUserDeleted(
  context: ApplyContext,
  userId: string,
  version: number,
  deletedAt: number,
): Promise<DeletionResult> {
  const names: Record<string, string> = {
    ...orderingNames,
    ...deletedName,
    '#type': 'type',
    '#id': 'id',
    '#deletedAt': 'deletedAt',
    '#ttl': TABLE_KEYS.ttlAttribute,
  };
  for (const name of REMOVED_ON_DELETION) names[`#${name}`] = name;
  const outcome = await conditionalWrite(() =>
    context.documentClient.send(
      new UpdateCommand({
        TableName: context.tableName,
        Key: keys.user(userId),
        UpdateExpression:
          'SET #type = :type, #id = :id, #deleted = :true, #deletedAt = :deletedAt, #ttl = :ttl, ' +
          '#version = :version, #lastEventId = :eventId ' +
          `REMOVE ${REMOVED_ON_DELETION.map((name) => `#${name}`).join(', ')}`,
        ConditionExpression: NOT_DELETED,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ...orderingValues(version, context.svixId),
          ':type': 'user',
          ':id': userId,
          ':true': true,
          ':deletedAt': isoFromMillis(deletedAt),
          ':ttl': tombstoneTtl(context.nowMillis, context.tombstoneTtlDays),
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
  );
  const tombstone = outcome.written ? outcome.attributes : outcome.old;
  const memberOrgIds = tombstone?.[MEMBER_ORG_IDS_ATTRIBUTE];
  const orgIds =
    memberOrgIds instanceof Set ? [...memberOrgIds].filter((id): id is string => typeof id === 'string').sort() : [];

  const budget = new CascadeBudget(context.cascade);
  const cascadeComplete =
    (await deleteChildren(context, queries.userSessions(userId), budget)) &&
    (await deleteInRounds(
      context,
      orgIds,
      (orgId) => keys.membership(orgId, userId),
      budget,
      (done) => forgetMemberships(context, userId, done),
    ));
  return { ...resultOfWrite(outcome, context.svixId), cascadeComplete };
}

/**
 * Takes organizations whose membership item was just deleted off the tombstone's list, so a
 * continuation of the cascade starts with what is left; the attribute disappears with its last
 * entry. Safe because no membership can register any more (the tombstone blocks it).
 * Conditional so that an expired tombstone is not recreated as a bare key.
 */
async function forgetMemberships(context: ApplyContext, userId: string, orgIds: readonly string[]): Promise<void> {
  await conditionalWrite(() =>
    context.documentClient.send(
      new UpdateCommand({
        TableName: context.tableName,
        Key: keys.user(userId),
        UpdateExpression: 'DELETE #memberOrgIds :orgIds',
        ConditionExpression: 'attribute_exists(#deleted)',
        ExpressionAttributeNames: { '#memberOrgIds': MEMBER_ORG_IDS_ATTRIBUTE, ...deletedName },
        ExpressionAttributeValues: { ':orgIds': new Set(orgIds) },
      }),
    ),
  );
}

