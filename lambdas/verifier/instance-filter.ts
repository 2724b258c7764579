import type { Logger } from '@aws-lambda-powertools/logger';
import { isInstanceId } from './verifier-config';

/**
 * Which Clerk instances' events are queued. An authenticated event says which instance it comes
 * from in its envelope's `instance_id`; a secret of another instance (a development endpoint's,
 * say) in the secret list would otherwise let that instance's users into this table.
 */
export interface InstanceFilter {
  /** True when the event may be queued; `instanceId` is the envelope's `instance_id` as received. */
  accepts(instanceId: unknown): boolean;
}

/** How the warning names events whose `instance_id` is absent or not an instance id. */
export const NO_INSTANCE_ID = '(none)';

/**
 * With an allow-list, only its instances' events are accepted; an event without a readable
 * `instance_id` is not (Clerk puts one in every event, so its absence proves nothing about where
 * the event comes from). Without one, every event is accepted, and the first event of each
 * instance seen since the cold start logs a warning naming it, so an operator can tell whose
 * events arrive and set the list.
 */
export function createInstanceFilter(allowed: readonly string[] | undefined, logger: Logger): InstanceFilter {
  if (allowed !== undefined) {
    const ids = new Set(allowed);
    return { accepts: (instanceId) => typeof instanceId === 'string' && ids.has(instanceId) };
  }
  const seen = new Set<string>();
  return {
    accepts(instanceId) {
      const name = isInstanceId(instanceId) ? instanceId : NO_INSTANCE_ID;
      if (!seen.has(name)) {
        seen.add(name);
        logger.warn('events of this Clerk instance are accepted: no instance allow-list is set', {
          instanceId: name,
          hint: 'set allowedInstanceIds (context key or prop) to the ids of your own instances to refuse any other',
        });
      }
      return true;
    },
  };
}
