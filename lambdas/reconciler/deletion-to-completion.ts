import type { ApplyResult } from '../processor/apply-context';

/**
 * Runs a deletion applier until its cascade is complete. `applyUserDeleted` and
 * `applyOrganizationDeleted` bound the work of one call (`ApplyContext.cascade`) and report an
 * incomplete cascade (`cascadeComplete: false`); this calls them again, as the processor
 * continues the event in a new message (docs/consistency.md, "Large cascades"). Each call after
 * the first finds the tombstone (a duplicate) and deletes what is left. The first call's result
 * says what the deletion did.
 */
export async function applyDeletionToCompletion(apply: () => Promise<ApplyResult>): Promise<ApplyResult> {
  const first = await apply();
  for (let latest = first; cascadeIncomplete(latest); ) latest = await apply();
  return first;
}

function cascadeIncomplete(result: ApplyResult): boolean {
  return 'cascadeComplete' in result && result.cascadeComplete === false;
}
