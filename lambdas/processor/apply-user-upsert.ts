import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ClerkUser } from '../shared/clerk-events';
import { EMAIL_VERIFIED_ATTRIBUTE, keys, TABLE_KEYS } from '../shared/table-schema';
import type { ApplyContext, ApplyResult } from './apply-context';
import { conditionalWrite } from '../shared/conditional-write';
import {
  classifyRejection,
  deletedName,
  IS_OLDER_THAN_EVENT,
  NOT_DELETED,
  orderingNames,
  orderingValues,
} from './conditions';
import { USER_PROFILE_ATTRIBUTES, userProfile } from './user-profile';

/**
 * user.created / user.updated: one conditional UpdateItem. It sets what the event carries and
 * removes what it lacks (a cleared username disappears), but leaves `lastSeenAt` (raised by
 * sessions) and bookkeeping of other events alone, which a Put would clobber.
 */
export async function applyUserUpsert(context: ApplyContext, user: ClerkUser, version: number): Promise<ApplyResult> {
  const profile = userProfile(user);
  const names: Record<string, string> = { ...orderingNames, ...deletedName, '#type': 'type', '#id': 'id' };
  const values: Record<string, unknown> = {
    ...orderingValues(version, context.svixId),
    ':type': 'user',
    ':id': user.id,
  };
  const sets = ['#type = :type', '#id = :id', '#version = :version', '#lastEventId = :eventId'];
  const removes: string[] = [];

  const owned: [string, string | boolean | undefined][] = [
    ...USER_PROFILE_ATTRIBUTES.map((name): [string, string | undefined] => [name, profile.attributes[name]]),
    [EMAIL_VERIFIED_ATTRIBUTE, profile.emailVerified],
    [TABLE_KEYS.gsi1.partitionKey, profile.emailIndex?.gsi1pk],
    [TABLE_KEYS.gsi1.sortKey, profile.emailIndex?.gsi1sk],
  ];
  for (const [name, value] of owned) {
    names[`#${name}`] = name;
    if (value === undefined) {
      removes.push(`#${name}`);
    } else {
      sets.push(`#${name} = :${name}`);
      values[`:${name}`] = value;
    }
  }

  const outcome = await conditionalWrite(() =>
    context.documentClient.send(
      new UpdateCommand({
        TableName: context.tableName,
        Key: keys.user(user.id),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: `${NOT_DELETED} AND ${IS_OLDER_THAN_EVENT}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
  );
  if (outcome.written) return { result: 'applied' };
  const result = classifyRejection(outcome.old, context.svixId);
  return outcome.old?.deleted === true && result === 'stale' ? { result, reason: 'user deleted' } : { result };
}
