import { type ClerkClient, createClerkClient } from '@clerk/backend';
import { ClerkApiRefusedError, ClerkApiUnavailableError, UnexpectedClerkResponseError } from '../shared/errors';
import type { ListCursor } from './list-cursor';
import { type ClerkFailure, DEFAULT_RETRY_POLICY, describeClerkFailure, type RetryPolicy, retryDelayMs } from './retry-policy';
import { defaultRequestsPerSecond } from './clerk-rate-limits';
import { type Clock, TokenBucket } from './token-bucket';

/** An entity as Clerk's Backend API returns it: the same JSON as a webhook's `data`. */
export type ClerkJson = Record<string, unknown>;

export interface ClerkPage {
  readonly items: readonly ClerkJson[];
  /** Clerk's `total_count` for the request's filters (users: those created after the cursor's time). */
  readonly totalCount: number;
}

/** Ids per filtered request: Clerk accepts up to 100 values of `user_id` / `organization_id`. */
export const IDS_PER_REQUEST = 100;

/**
 * What a sweep asks Clerk, through `@clerk/backend`, each call paced by the token bucket and
 * retried by the retry policy. Lists are read oldest first (list-cursor.ts).
 */
export interface ClerkSource {
  listUsers(cursor: ListCursor, limit: number): Promise<ClerkPage>;
  listOrganizations(cursor: ListCursor, limit: number): Promise<ClerkPage>;
  /** Every membership of the instance. */
  listMemberships(cursor: ListCursor, limit: number): Promise<ClerkPage>;
  /** Which of these users (at most IDS_PER_REQUEST) exist. */
  existingUserIds(userIds: readonly string[]): Promise<ReadonlySet<string>>;
  existingOrganizationIds(orgIds: readonly string[]): Promise<ReadonlySet<string>>;
  /** The membership id of each of these users (at most IDS_PER_REQUEST) in the organization; null when it is gone. */
  membershipsIn(orgId: string, userIds: readonly string[]): Promise<ReadonlyMap<string, string> | null>;
  /** A direct lookup: false only on Clerk's 404. */
  userExists(userId: string): Promise<boolean>;
  organizationExists(orgId: string): Promise<boolean>;
  /** Requests made so far, retries included. */
  requests(): number;
}

export interface ClerkRetry {
  readonly what: string;
  readonly failure: ClerkFailure;
  readonly delayMs: number;
  readonly attempt: number;
}

export interface ClerkSourceDeps {
  readonly clerk: ClerkClient;
  readonly limiter: TokenBucket;
  readonly clock: Clock;
  readonly retryPolicy?: RetryPolicy;
  readonly random?: () => number;
  /** Told about every retry, for the log. */
  readonly onRetry?: (retry: ClerkRetry) => void;
  /**
   * A request without an answer after this long counts as failed (and is retried): the SDK's
   * fetch has no timeout of its own.
   * @default 30_000
   */
  readonly requestTimeoutMs?: number;
}

export interface ClerkConnection {
  readonly secretKey: string;
  /** @default RECONCILER_DEFAULTS.clerkApiUrl (the SDK's own default) */
  readonly apiUrl?: string;
  /** @default 80% of the key's instance limit (clerk-rate-limits.ts) */
  readonly requestsPerSecond?: number;
}

/** The source for a secret key: `@clerk/backend`'s client (telemetry off) and a token bucket at the rate. */
export function clerkSourceFor(connection: ClerkConnection, deps: Omit<ClerkSourceDeps, 'clerk' | 'limiter'>): ClerkSource {
  const clerk = createClerkClient({
    secretKey: connection.secretKey,
    ...(connection.apiUrl === undefined ? {} : { apiUrl: connection.apiUrl }),
    telemetry: { disabled: true, debug: false, samplingRate: 0 },
  });
  const rate = connection.requestsPerSecond ?? defaultRequestsPerSecond(connection.secretKey);
  return createClerkSource({ ...deps, clerk, limiter: TokenBucket.perSecond(rate, deps.clock) });
}

/** Rejects like a request that got no answer (the retry policy's "unavailable"). */
class ClerkRequestTimeout extends Error {
  override readonly name = 'ClerkRequestTimeout';
}

function withTimeout<T>(request: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ClerkRequestTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  return Promise.race([request(), expired]).finally(() => clearTimeout(timer));
}

const NOT_FOUND = Symbol('not found');

// The SDK's `getUserList` also asks `GET /users/count` with the same filters, in parallel.
const USER_LIST_REQUESTS = 2;

export function createClerkSource(deps: ClerkSourceDeps): ClerkSource {
  const policy = deps.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const timeoutMs = deps.requestTimeoutMs ?? 30_000;
  let requests = 0;

  const call = async <T>(what: string, cost: number, request: () => Promise<T>): Promise<T | typeof NOT_FOUND> => {
    for (let failed = 0; ; ) {
      await deps.limiter.take(cost);
      requests += cost;
      try {
        return await withTimeout(request, timeoutMs);
      } catch (error) {
        const failure = describeClerkFailure(error);
        if (failure.kind === 'not-found') return NOT_FOUND;
        failed += 1;
        const delayMs = retryDelayMs(failure, failed, policy, deps.random);
        if (delayMs === undefined) {
          if (failure.kind === 'refused') {
            throw new ClerkApiRefusedError(`${what}: Clerk answered ${failure.status} (${failure.detail})`, failure.status, { cause: error });
          }
          const answer = failure.status === undefined ? 'no answer' : `HTTP ${failure.status}`;
          throw new ClerkApiUnavailableError(`${what}: ${answer} (${failure.detail}) after ${failed} attempt(s)`, { cause: error });
        }
        deps.onRetry?.({ what, failure, delayMs, attempt: failed });
        // A 429 is about the whole instance: every caller waits, through the bucket.
        if (failure.kind === 'rate-limited') deps.limiter.holdOff(delayMs);
        else await deps.clock.sleep(delayMs);
      }
    }
  };

  const found = <T>(what: string, value: T | typeof NOT_FOUND): T => {
    if (value === NOT_FOUND) throw new ClerkApiRefusedError(`${what}: Clerk answered 404`, 404);
    return value;
  };

  const page = (what: string, response: { data: readonly { raw: ClerkJson | null }[]; totalCount: number }): ClerkPage => ({
    items: response.data.map((resource) => {
      if (resource.raw === null) throw new UnexpectedClerkResponseError(`${what}: an entry without its JSON`);
      return resource.raw;
    }),
    totalCount: response.totalCount,
  });

  const idsOf = (what: string, ids: readonly string[]): string[] => {
    if (ids.length === 0 || ids.length > IDS_PER_REQUEST) throw new RangeError(`${what}: 1 to ${IDS_PER_REQUEST} ids, got ${ids.length}`);
    return [...ids];
  };

  return {
    async listUsers(cursor, limit) {
      const what = `GET /users (offset ${cursor.offset})`;
      const response = await call(what, USER_LIST_REQUESTS, () =>
        deps.clerk.users.getUserList({
          orderBy: '+created_at',
          limit,
          offset: cursor.offset,
          ...(cursor.createdAfter === undefined ? {} : { createdAtAfter: cursor.createdAfter }),
        }),
      );
      return page(what, found(what, response) as { data: { raw: ClerkJson | null }[]; totalCount: number });
    },
    async listOrganizations(cursor, limit) {
      const what = `GET /organizations (offset ${cursor.offset})`;
      const response = await call(what, 1, () => deps.clerk.organizations.getOrganizationList({ orderBy: '+created_at', limit, offset: cursor.offset }));
      return page(what, found(what, response) as { data: { raw: ClerkJson | null }[]; totalCount: number });
    },
    async listMemberships(cursor, limit) {
      const what = `GET /organization_memberships (offset ${cursor.offset})`;
      const response = await call(what, 1, () =>
        deps.clerk.organizations.getInstanceOrganizationMembershipList({ orderBy: '+created_at', limit, offset: cursor.offset }),
      );
      return page(what, found(what, response) as { data: { raw: ClerkJson | null }[]; totalCount: number });
    },
    async existingUserIds(userIds) {
      const what = 'GET /users?user_id=…';
      const userId = idsOf(what, userIds);
      const response = found(what, await call(what, USER_LIST_REQUESTS, () => deps.clerk.users.getUserList({ userId, limit: IDS_PER_REQUEST })));
      return new Set(response.data.map((user) => user.id));
    },
    async existingOrganizationIds(orgIds) {
      const what = 'GET /organizations?organization_id=…';
      const organizationId = idsOf(what, orgIds);
      const response = found(
        what,
        await call(what, 1, () => deps.clerk.organizations.getOrganizationList({ organizationId, limit: IDS_PER_REQUEST })),
      );
      return new Set(response.data.map((organization) => organization.id));
    },
    async membershipsIn(orgId, userIds) {
      const what = `GET /organizations/${orgId}/memberships?user_id=…`;
      const userId = idsOf(what, userIds);
      const response = await call(what, 1, () =>
        deps.clerk.organizations.getOrganizationMembershipList({ organizationId: orgId, userId, limit: IDS_PER_REQUEST }),
      );
      if (response === NOT_FOUND) return null;
      const byUser = new Map<string, string>();
      for (const membership of response.data) {
        const memberId = membership.publicUserData?.userId;
        if (memberId !== undefined) byUser.set(memberId, membership.id);
      }
      return byUser;
    },
    async userExists(userId) {
      return (await call(`GET /users/${userId}`, 1, () => deps.clerk.users.getUser(userId))) !== NOT_FOUND;
    },
    async organizationExists(orgId) {
      return (await call(`GET /organizations/${orgId}`, 1, () => deps.clerk.organizations.getOrganization({ organizationId: orgId }))) !== NOT_FOUND;
    },
    requests: () => requests,
  };
}
