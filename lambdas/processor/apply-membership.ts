import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ClerkOrganizationMembership } from '../shared/clerk-events';
import { keys } from '../shared/table-schema';
import type { ApplyContext, ApplyResult } from './apply-context';
import { resultOfWrite, stampOf } from './apply-context';
import { deleteItem } from './cascade-delete';
import { conditionalWrite, type WriteOutcome } from '../shared/conditional-write';
import { deletedName, IS_OLDER_THAN_EVENT, ITEM_ABSENT, orderingNames, orderingValues } from './conditions';
import { membershipItem, membershipRef, membershipTombstone } from './membership-item';
import { profileStatus, registerMembershipWithUser, removeUnderDeletedParent } from './parent-status';
import { tombstoneTtl } from './tombstone-ttl';

/*
 * One item per (organization, user) holds the latest membership. Its state is ordered by
 * generation (creation time, membership id) first: a rejoin's new membership replaces the old
 * one and a late event about the old one changes nothing. Within one generation a tombstone
 * beats any upsert, and among upserts the newest event wins. Nothing is written under a user or
 * an organization that is already deleted (removeUnderDeletedParent); the check after the write catches
 * a deletion that lands in between.
 */

/** organizationMembership.created / updated. */
export async function applyMembershipUpsert(
  context: ApplyContext,
  membership: ClerkOrganizationMembership,
  version: number,
): Promise<ApplyResult> {
  const ref = membershipRef(membership);
  const deletedParent = await removeUnderDeletedParent(context, ref, keys.membership(ref.orgId, ref.userId));
  if (deletedParent !== undefined) return { result: 'stale', reason: deletedParent };
  const item = membershipItem(membership, stampOf(context, version));
  const outcome = await conditionalWrite(() =>
    context.documentClient.send(
      new PutCommand({
        TableName: context.tableName,
        Item: item,
        ConditionExpression:
          `${ITEM_ABSENT} OR #generation < :generation OR ` +
          `(#generation = :generation AND attribute_not_exists(#deleted) AND ${IS_OLDER_THAN_EVENT})`,
        ExpressionAttributeNames: { ...orderingNames, ...deletedName, '#generation': 'generation' },
        ExpressionAttributeValues: { ...orderingValues(version, context.svixId), ':generation': item.generation },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
  );
  return removeIfParentDeleted(context, membership, outcome);
}

/** organizationMembership.deleted: a tombstone of this generation, which never replaces a newer membership. */
export async function applyMembershipDeleted(
  context: ApplyContext,
  membership: ClerkOrganizationMembership,
  version: number,
  deletedAt: number,
): Promise<ApplyResult> {
  const ref = membershipRef(membership);
  const deletedParent = await removeUnderDeletedParent(context, ref, keys.membership(ref.orgId, ref.userId));
  if (deletedParent !== undefined) return { result: 'stale', reason: deletedParent };
  const ttl = tombstoneTtl(context.nowMillis, context.tombstoneTtlDays);
  const tombstone = membershipTombstone(membership, stampOf(context, version), deletedAt, ttl);
  const outcome = await conditionalWrite(() =>
    context.documentClient.send(
      new PutCommand({
        TableName: context.tableName,
        Item: tombstone,
        ConditionExpression:
          `${ITEM_ABSENT} OR #generation < :generation OR ` +
          '(#generation = :generation AND attribute_not_exists(#deleted))',
        ExpressionAttributeNames: { ...deletedName, '#generation': 'generation' },
        ExpressionAttributeValues: { ':generation': tombstone.generation },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
  );
  return removeIfParentDeleted(context, membership, outcome);
}

/**
 * Written first, parents checked after (strongly consistent), for tombstones too: under a
 * deleted user or organization no membership item of any generation may remain, or a late
 * event about an older generation would land where in-order delivery leaves nothing.
 * Runs whatever the write's outcome, so a retry after a crash still completes the check.
 */
async function removeIfParentDeleted(
  context: ApplyContext,
  membership: ClerkOrganizationMembership,
  outcome: WriteOutcome,
): Promise<ApplyResult> {
  const { orgId, userId } = membershipRef(membership);
  const [userStatus, orgStatus] = await Promise.all([
    registerMembershipWithUser(context, userId, orgId),
    profileStatus(context, keys.organization(orgId)),
  ]);
  if (userStatus === 'alive' && orgStatus === 'alive') return resultOfWrite(outcome, context.svixId);

  await deleteItem(context, keys.membership(orgId, userId));
  const reason = userStatus === 'deleted' ? 'user deleted' : 'organization deleted';
  // Whatever the write did, the deletion wins: nothing of this event is left (and a retry that
  // finds its own earlier write reports that too, not a duplicate).
  return { result: 'stale', reason };
}
