import { randomUUID } from 'node:crypto';
import type { SampleIds } from '../../lambdas/shared/sample-events';

export type FreshIds = Required<Pick<SampleIds, 'userId' | 'orgId' | 'sessionId' | 'membershipId' | 'email'>>;

/**
 * Ids of one user, organization, session and membership that no other test shares, so tests on
 * one table never see each other's items. The address is mixed-case, as Clerk keeps it.
 */
export function freshIds(): FreshIds {
  const tag = randomUUID().replace(/-/g, '').slice(0, 12);
  return {
    userId: `user_2${tag}`,
    orgId: `org_2${tag}`,
    sessionId: `sess_2${tag}`,
    membershipId: `orgmem_2${tag}`,
    email: `Grace.Hopper.${tag}@Example.com`,
  };
}
