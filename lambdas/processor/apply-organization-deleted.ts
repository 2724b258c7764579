import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { isoFromMillis, keys, type OrganizationTombstone, queries } from '../shared/table-schema';
import { resultOfWrite, type ApplyContext, type DeletionResult } from './apply-context';
import { CascadeBudget, deleteChildren } from './cascade-delete';
import { conditionalWrite } from '../shared/conditional-write';
import { deletedName, NOT_DELETED } from './conditions';
import { tombstoneTtl } from './tombstone-ttl';

/**
 * organization.deleted: tombstone (terminal, no index entry), then delete every membership
 * item under the organization, tombstones included, as far as `context.cascade` allows. The
 * cascade also runs when the tombstone already existed, so a retry, or the continuation of a
 * cascade that ran out of budget, completes it.
 */
export async function applyOrganizationDeleted(
  context: ApplyContext,
  orgId: string,
  version: number,
  deletedAt: number,
): Promise<DeletionResult> {
  const tombstone: OrganizationTombstone = {
    ...keys.organization(orgId),
    type: 'organization',
    id: orgId,
    deleted: true,
    deletedAt: isoFromMillis(deletedAt),
    ttl: tombstoneTtl(context.nowMillis, context.tombstoneTtlDays),
    version,
    lastEventId: context.svixId,
  };
  const outcome = await conditionalWrite(() =>
    context.documentClient.send(
      new PutCommand({
        TableName: context.tableName,
        Item: tombstone,
        ConditionExpression: NOT_DELETED,
        ExpressionAttributeNames: deletedName,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
  );
  const cascadeComplete = await deleteChildren(context, queries.organizationMembers(orgId), new CascadeBudget(context.cascade));
  return { ...resultOfWrite(outcome, context.svixId), cascadeComplete };
}
