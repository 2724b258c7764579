import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ClerkSession } from '../shared/clerk-events';
import type { ApplyContext, ApplyResult } from './apply-context';
import { resultOfWrite, stampOf } from './apply-context';
import { deleteItem } from './cascade-delete';
import { conditionalWrite } from '../shared/conditional-write';
import { IS_OLDER_THAN_EVENT, ITEM_ABSENT, orderingNames, orderingValues } from './conditions';
import { keys } from '../shared/table-schema';
import { raiseLastSeenAt, removeUnderDeletedParent } from './parent-status';
import { sessionItem, sessionLastSeenAt } from './session-item';

/**
 * session.created: unless the user is already deleted, upsert the active session (never over a
 * terminal status), then raise the user's `lastSeenAt`. That second write is conditioned on the
 * user not being deleted, and is also the check of the parent: if the user is gone, the session
 * just written is removed.
 * It runs even when the session write was stale, because an in-order delivery would have
 * raised `lastSeenAt` before the session ended.
 */
export async function applySessionCreated(
  context: ApplyContext,
  session: ClerkSession,
  version: number,
): Promise<ApplyResult> {
  const deletedParent = await removeUnderDeletedParent(context, { userId: session.user_id }, keys.session(session.user_id, session.id));
  if (deletedParent !== undefined) return { result: 'stale', reason: deletedParent };
  const item = sessionItem(session, 'active', stampOf(context, version));
  const outcome = await conditionalWrite(() =>
    context.documentClient.send(
      new PutCommand({
        TableName: context.tableName,
        Item: item,
        ConditionExpression: `${ITEM_ABSENT} OR (#status = :active AND ${IS_OLDER_THAN_EVENT})`,
        ExpressionAttributeNames: { ...orderingNames, '#status': 'status' },
        ExpressionAttributeValues: { ...orderingValues(version, context.svixId), ':active': 'active' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
  );
  const userStatus = await raiseLastSeenAt(context, session.user_id, sessionLastSeenAt(session, version));
  if (userStatus === 'deleted') {
    await deleteItem(context, { pk: item.pk, sk: item.sk });
    // Whatever the write did, the deletion wins (as in applyMembershipUpsert).
    return { result: 'stale', reason: 'user deleted' };
  }
  return resultOfWrite(outcome, context.svixId);
}
