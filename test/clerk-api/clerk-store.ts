import type { ClerkEventEnvelope } from '../../lambdas/shared/clerk-events';

/** An entity as Clerk's Backend API returns it (the same JSON a webhook carries in `data`). */
export type ClerkJson = Record<string, unknown>;

/**
 * What a Clerk instance holds: its users, organizations and memberships. It changes the way the
 * webhooks say Clerk changed (`apply`), so a store built from a history's first events is what
 * Clerk's Backend API would have returned at that point: deleted entities are simply absent.
 * Sessions are not kept: they cannot be listed instance-wide.
 */
export class ClerkStore {
  readonly users = new Map<string, ClerkJson>();
  readonly organizations = new Map<string, ClerkJson>();
  /** By membership id. */
  readonly memberships = new Map<string, ClerkJson>();

  /** The state after the first `count` events of `history`. */
  static after(history: readonly { readonly event: ClerkEventEnvelope }[], count: number = history.length): ClerkStore {
    const store = new ClerkStore();
    for (const { event } of history.slice(0, count)) store.apply(event);
    return store;
  }

  /** Becomes a copy of `other` (a server keeps serving this store, whose content changes). */
  load(other: ClerkStore): void {
    for (const name of ['users', 'organizations', 'memberships'] as const) {
      this[name].clear();
      for (const [id, entity] of other[name]) this[name].set(id, entity);
    }
  }

  apply(event: ClerkEventEnvelope): void {
    const data = event.data;
    const id = String(data.id);
    switch (event.type) {
      case 'user.created':
      case 'user.updated':
        this.users.set(id, data);
        return;
      case 'user.deleted':
        this.users.delete(id);
        this.removeMemberships((membership) => userIdOf(membership) === id);
        return;
      case 'organization.created':
      case 'organization.updated':
        this.organizations.set(id, data);
        return;
      case 'organization.deleted':
        this.organizations.delete(id);
        this.removeMemberships((membership) => orgIdOf(membership) === id);
        return;
      case 'organizationMembership.created':
      case 'organizationMembership.updated':
        this.memberships.set(id, data);
        return;
      case 'organizationMembership.deleted':
        this.memberships.delete(id);
        return;
      default:
        // Sessions, e-mails and the rest: not what the sweep reads.
        return;
    }
  }

  private removeMemberships(matches: (membership: ClerkJson) => boolean): void {
    for (const [id, membership] of this.memberships) if (matches(membership)) this.memberships.delete(id);
  }
}

export function userIdOf(membership: ClerkJson): string {
  return String((membership.public_user_data as { user_id?: unknown } | undefined)?.user_id);
}

export function orgIdOf(membership: ClerkJson): string {
  return String((membership.organization as { id?: unknown } | undefined)?.id);
}
