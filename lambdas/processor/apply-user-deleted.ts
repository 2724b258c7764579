import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isoFromMillis, keys, MEMBER_ORG_IDS_ATTRIBUTE, queries, TABLE_KEYS } from '../shared/table-schema';
import { resultOfWrite, type ApplyContext, type ApplyResult } from './apply-context';
import { deleteChildren, deleteItem } from './cascade-delete';
import { conditionalWrite } from '../shared/conditional-write';
import { deletedName, NOT_DELETED, orderingNames, orderingValues } from './conditions';
import { tombstoneTtl } from './tombstone-ttl';
import { USER_PROFILE_ATTRIBUTES } from './user-profile';

// Everything that is personal data or an index entry goes; type, id and bookkeeping stay.
const REMOVED_ON_DELETION = [...USER_PROFILE_ATTRIBUTES, 'lastSeenAt', TABLE_KEYS.gsi1.partitionKey, TABLE_KEYS.gsi1.sortKey] as const;

/**
 * user.deleted: tombstone the profile (terminal), then delete the user's sessions and
 * memberships. The cascade also runs when the tombstone already exists, so a retry finishes
 * a cascade that an earlier attempt left half done.
 */
export async function applyUserDeleted(
  context: ApplyContext,
  userId: string,
  version: number,
  deletedAt: number,
): Promise<ApplyResult> {
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
    memberOrgIds instanceof Set ? [...memberOrgIds].filter((id): id is string => typeof id === 'string') : [];

  await deleteChildren(context, queries.userSessions(userId));
  await Promise.all(orgIds.map((orgId) => deleteItem(context, keys.membership(orgId, userId))));
  if (orgIds.length > 0) await forgetMemberships(context, userId);

  return resultOfWrite(outcome, context.svixId);
}

/**
 * The cascade is complete, and no membership can register any more (the tombstone blocks
 * it), so the list of organizations goes too. Conditional so that an expired tombstone is
 * not recreated as a bare key.
 */
async function forgetMemberships(context: ApplyContext, userId: string): Promise<void> {
  await conditionalWrite(() =>
    context.documentClient.send(
      new UpdateCommand({
        TableName: context.tableName,
        Key: keys.user(userId),
        UpdateExpression: 'REMOVE #memberOrgIds',
        ConditionExpression: 'attribute_exists(#deleted)',
        ExpressionAttributeNames: { '#memberOrgIds': MEMBER_ORG_IDS_ATTRIBUTE, ...deletedName },
      }),
    ),
  );
}
