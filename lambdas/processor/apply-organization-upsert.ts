import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ClerkOrganization } from '../shared/clerk-events';
import type { ApplyContext, ApplyResult } from './apply-context';
import { stampOf } from './apply-context';
import { conditionalWrite } from '../shared/conditional-write';
import {
  classifyRejection,
  deletedName,
  IS_OLDER_THAN_EVENT,
  NOT_DELETED,
  orderingNames,
  orderingValues,
} from './conditions';
import { organizationItem } from './organization-item';

/**
 * organization.created / updated: a Put of the whole item (no other event writes to it);
 * the newest event wins, and nothing replaces a tombstone.
 */
export async function applyOrganizationUpsert(
  context: ApplyContext,
  organization: ClerkOrganization,
  version: number,
): Promise<ApplyResult> {
  const outcome = await conditionalWrite(() =>
    context.documentClient.send(
      new PutCommand({
        TableName: context.tableName,
        Item: organizationItem(organization, stampOf(context, version)),
        ConditionExpression: `${NOT_DELETED} AND ${IS_OLDER_THAN_EVENT}`,
        ExpressionAttributeNames: { ...orderingNames, ...deletedName },
        ExpressionAttributeValues: orderingValues(version, context.svixId),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
  );
  if (outcome.written) return { result: 'applied' };
  const result = classifyRejection(outcome.old, context.svixId);
  return outcome.old?.deleted === true && result === 'stale' ? { result, reason: 'organization deleted' } : { result };
}
