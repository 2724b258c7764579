import fc from 'fast-check';
import {
  deliveriesArbitrary,
  historyArbitrary,
  historyFeatures,
  type HistoryEvent,
  type HistoryOptions,
} from './random-history';

/*
 * The generator behind the correctness property (docs/consistency.md). The property is only
 * as strong as the histories it sees, so these checks make sure that every history holds each
 * tricky case and is one Clerk could send. Pure: no engines, fast enough for many runs.
 */

const SHAPES: readonly HistoryOptions[] = [
  {},
  { minCommands: 10, maxCommands: 35 },
  // Degenerate shapes: every tricky case must be added even when the random part gives none.
  { minCommands: 0, maxCommands: 2 },
  { minCommands: 0, maxCommands: 40, users: 1, organizations: 1 },
];

const userOf = ({ event }: HistoryEvent): string | undefined => {
  const data = event.data as { id?: string; user_id?: string; public_user_data?: { user_id?: string } };
  if (event.type.startsWith('user.')) return data.id;
  if (event.type.startsWith('session.')) return data.user_id;
  if (event.type.startsWith('organizationMembership.')) return data.public_user_data?.user_id;
  return undefined;
};

const organizationOf = ({ event }: HistoryEvent): string | undefined => {
  const data = event.data as { id?: string; organization?: { id?: string } };
  if (event.type.startsWith('organization.')) return data.id;
  if (event.type.startsWith('organizationMembership.')) return data.organization?.id;
  return undefined;
};

/** What Clerk may still send about a deleted user or organization: the ends of its children. */
const FOLLOW_UPS = new Set(['session.removed', 'organizationMembership.deleted']);

describe.each(SHAPES)('random histories %o', (options) => {
  it('hold every tricky case, at least once each', () => {
    fc.assert(
      fc.property(historyArbitrary(options), (history) => {
        const features = historyFeatures(history);
        expect(Object.entries(features).filter(([, count]) => count === 0)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('are valid: unique svix ids, one version per state of an entity, nothing after a deletion but the follow-ups', () => {
    fc.assert(
      fc.property(historyArbitrary(options), (history) => {
        expect(new Set(history.map(({ svixId }) => svixId)).size).toBe(history.length);

        const lastVersion = new Map<string, number>();
        const deleted = new Set<string>();
        for (const entry of history) {
          const { type, data } = entry.event;
          const parents = [userOf(entry), organizationOf(entry)].filter((id): id is string => id !== undefined);
          if (!type.endsWith('.deleted') || type.startsWith('organizationMembership.')) {
            // A deletion of a user or organization ends it; anything else about it would be invalid.
            for (const parent of parents) if (deleted.has(parent)) expect(FOLLOW_UPS).toContain(type);
          }
          if (type === 'user.deleted' || type === 'organization.deleted') deleted.add(String(data.id));
          // Versions of upserts strictly increase per entity, so in-order delivery never depends on svix-id ties.
          if (/^(user|organization|organizationMembership)\.(created|updated)$|^session\./.test(type)) {
            const key = String(data.id);
            const version = data.updated_at as number;
            expect(version).toBeGreaterThan(lastVersion.get(key) ?? 0);
            lastVersion.set(key, version);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

it('deliveries are a permutation with duplicates: every event one to three times, at least one of them more than once', () => {
  const scenario = historyArbitrary().chain((history) => fc.tuple(fc.constant(history), deliveriesArbitrary(history)));
  fc.assert(
    fc.property(scenario, ([history, deliveries]) => {
      const copies = new Map<string, number>();
      for (const { svixId } of deliveries) copies.set(svixId, (copies.get(svixId) ?? 0) + 1);
      expect([...copies.keys()].sort()).toEqual(history.map(({ svixId }) => svixId).sort());
      expect([...copies.values()].every((count) => count >= 1 && count <= 3)).toBe(true);
      expect(deliveries.length).toBeGreaterThan(history.length);
    }),
    { numRuns: 300 },
  );
});
