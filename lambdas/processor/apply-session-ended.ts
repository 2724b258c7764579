import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ClerkSession } from '../shared/clerk-events';
import { keys, type SessionStatus } from '../shared/table-schema';
import type { ApplyContext, ApplyResult } from './apply-context';
import { resultOfWrite, stampOf } from './apply-context';
import { deleteItem } from './cascade-delete';
import { conditionalWrite } from '../shared/conditional-write';
import { IS_OLDER_THAN_EVENT, ITEM_ABSENT, orderingNames, orderingValues } from './conditions';
import { profileStatus, removeUnderDeletedParent } from './parent-status';
import { sessionItem } from './session-item';

/**
 * session.ended / removed / revoked: a terminal status replaces `active` whatever the
 * versions (a session never comes back), and a newer terminal event replaces an older one.
 * The user is checked before (a deleted user's session is not written) and after, as for
 * session.created, so no session outlives its user.
 */
export async function applySessionEnded(
  context: ApplyContext,
  session: ClerkSession,
  status: Exclude<SessionStatus, 'active'>,
  version: number,
): Promise<ApplyResult> {
  const deletedParent = await removeUnderDeletedParent(context, { userId: session.user_id }, keys.session(session.user_id, session.id));
  if (deletedParent !== undefined) return { result: 'stale', reason: deletedParent };
  const item = sessionItem(session, status, stampOf(context, version));
  const outcome = await conditionalWrite(() =>
    context.documentClient.send(
      new PutCommand({
        TableName: context.tableName,
        Item: item,
        ConditionExpression: `${ITEM_ABSENT} OR #status = :active OR ${IS_OLDER_THAN_EVENT}`,
        ExpressionAttributeNames: { ...orderingNames, '#status': 'status' },
        ExpressionAttributeValues: { ...orderingValues(version, context.svixId), ':active': 'active' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
  );
  if ((await profileStatus(context, keys.user(session.user_id))) === 'deleted') {
    await deleteItem(context, { pk: item.pk, sk: item.sk });
    // Whatever the write did, the deletion wins (as in applyMembershipUpsert).
    return { result: 'stale', reason: 'user deleted' };
  }
  return resultOfWrite(outcome, context.svixId);
}
