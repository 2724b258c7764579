import type { ApplyResult } from '../processor/apply-context';

/**
 * Runs a deletion applier until its cascade is complete. Today `applyUserDeleted` and
 * `applyOrganizationDeleted` finish a cascade in one call; once they bound the work per call and
 * report an incomplete cascade (`cascadeComplete: false`), this calls them again, as the
 * processor's queue redelivers the event. The first call's result says what the deletion did.
 */
export async function applyDeletionToCompletion(apply: () => Promise<ApplyResult>): Promise<ApplyResult> {
  const first = await apply();
  for (let latest = first; cascadeIncomplete(latest); ) latest = await apply();
  return first;
}

function cascadeIncomplete(result: ApplyResult): boolean {
  return 'cascadeComplete' in result && result.cascadeComplete === false;
}
