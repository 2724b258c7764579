import { FilterCriteria, FilterRule } from 'aws-cdk-lib/aws-lambda';
import { EMAIL_VERIFIED_ATTRIBUTE, type MembershipItem, type UserItem } from '../../../lambdas/shared/table-schema';

// Checked against the table schema: a rename there fails the type check here, not the filter in production.
const USER_TYPE: UserItem['type'] = 'user';
const MEMBERSHIP_TYPE: MembershipItem['type'] = 'membership';

/**
 * Event filters of the notifier's stream event source: only records that can trigger a mail
 * invoke it (the function still checks every rule; docs/notifications.md). A record passes when
 * its new image is a user item with a verified primary address (`emailVerified`), or a
 * membership item whose role is an admin role. A user whose address is not verified is never
 * mailed, so its changes never invoke the notifier; among the changes of a verified user, the
 * function picks the one that made the user welcome-able (a sign-in's `lastSeenAt` is not it).
 * The filter does not look at the old image: `exists: false` on a key of an absent old image
 * (an INSERT) is not something to bet every first welcome on.
 *
 * Only keys under `dynamodb` are used, the only key DynamoDB event source mappings filter on:
 * a REMOVE record (deletion, TTL expiry) has no new image, so it never matches, which is what
 * a filter on `eventName` would have said.
 */
export function notifierEventFilters(adminRoles: readonly string[]): Record<string, unknown>[] {
  return [
    FilterCriteria.filter({
      dynamodb: { NewImage: { type: { S: FilterRule.isEqual(USER_TYPE) }, [EMAIL_VERIFIED_ATTRIBUTE]: { BOOL: FilterRule.isEqual(true) } } },
    }),
    FilterCriteria.filter({
      dynamodb: {
        NewImage: {
          type: { S: FilterRule.isEqual(MEMBERSHIP_TYPE) },
          role: { S: FilterRule.or(...adminRoles) },
        },
      },
    }),
  ];
}
