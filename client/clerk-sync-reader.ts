import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  BOOKKEEPING_ATTRIBUTES,
  type Gsi1ProjectedAttribute,
  type ItemKey,
  type KeyQuery,
  keys,
  type MembershipItem,
  type MembershipTombstone,
  type OrganizationItem,
  type OrganizationTombstone,
  queries,
  type SessionItem,
  TABLE_KEYS,
  type UserItem,
  type UserTombstone,
} from '../lambdas/shared/table-schema';
import { ClerkSyncError } from '../lambdas/shared/errors';

/**
 * Typed reads of the synced Clerk table for applications: the access patterns of the public
 * contract (docs/table.md), as the table module's `queries` spell them; items without keys or
 * bookkeeping, deleted entities (tombstones) hidden unless asked for.
 * Bring your own DynamoDBDocumentClient (credentials, region, retries).
 */

type StorageAttribute =
  | typeof TABLE_KEYS.partitionKey
  | typeof TABLE_KEYS.sortKey
  | typeof TABLE_KEYS.gsi1.partitionKey
  | typeof TABLE_KEYS.gsi1.sortKey
  | (typeof BOOKKEEPING_ATTRIBUTES)[number];
/** Distributes over unions, so each tombstone/live variant keeps its own fields. */
type Public<T> = T extends unknown ? Omit<T, StorageAttribute> : never;

export type User = Public<UserItem>;
export type DeletedUser = Public<UserTombstone>;
export type Session = Public<SessionItem>;
export type Organization = Public<OrganizationItem>;
export type DeletedOrganization = Public<OrganizationTombstone>;
export type Membership = Public<MembershipItem>;
export type DeletedMembership = Public<MembershipTombstone>;

/**
 * What a read through the gsi1 index returns of an item: only what the index projects
 * (`GSI1_PROJECTED_ATTRIBUTES`, docs/table.md "Keys and index"). For organizations and memberships
 * that is every public attribute; a user comes without `lastSeenAt` (read it with `getUser`).
 */
export type FromIndex<T> = T extends unknown ? Pick<T, Extract<keyof T, Gsi1ProjectedAttribute>> : never;
/** A user found by email: every public attribute but `lastSeenAt`. */
export type IndexedUser = FromIndex<User>;
/** An organization found by slug: every public attribute. */
export type IndexedOrganization = FromIndex<Organization>;
/** A membership found among a user's organizations: every public attribute. */
export type IndexedMembership = FromIndex<Membership>;

export interface ReadOptions {
  /** Also return tombstones (`deleted: true`), e.g. to tell "deleted" from "never seen". */
  readonly includeDeleted?: boolean;
  /** Strongly consistent read; only for reads on the table itself, not on the gsi1 index. */
  readonly consistentRead?: boolean;
}

export interface PageOptions extends ReadOptions {
  /** Items DynamoDB evaluates per page (before tombstones are hidden), default 100. */
  readonly pageSize?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Absent on the last page. A page may hold fewer than pageSize items and still have a next one. */
  readonly nextCursor?: string;
}

type WithDeleted<T, D, O extends ReadOptions | undefined> = O extends { includeDeleted: true } ? T | D : T;

const STORAGE_ATTRIBUTES: ReadonlySet<string> = new Set<string>([
  TABLE_KEYS.partitionKey,
  TABLE_KEYS.sortKey,
  TABLE_KEYS.gsi1.partitionKey,
  TABLE_KEYS.gsi1.sortKey,
  ...BOOKKEEPING_ATTRIBUTES,
]);
const DEFAULT_PAGE_SIZE = 100;

/** A `cursor` that no page of this reader returned (truncated, or made up). */
export class InvalidCursorError extends ClerkSyncError {
  readonly code = 'INVALID_CURSOR';
}

export class ClerkSyncReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** A user by Clerk id; a deleted user only with `includeDeleted`. */
  async getUser<O extends ReadOptions | undefined = undefined>(userId: string, options?: O): Promise<WithDeleted<User, DeletedUser, O> | undefined> {
    return this.getItem(keys.user(userId), options) as Promise<WithDeleted<User, DeletedUser, O> | undefined>;
  }

  /**
   * The user whose primary email this is (case-insensitive), in one Query of the gsi1 index, so
   * eventually consistent: every public attribute but `lastSeenAt`, which the index leaves out
   * (it changes with every sign-in; `getUser` has it). Deleted users are never found (their
   * tombstones hold no email).
   */
  async getUserByEmail(email: string): Promise<IndexedUser | undefined> {
    const [item] = await this.queryIndexAll(queries.userByEmail(email));
    return item as IndexedUser | undefined;
  }

  /** A user's sessions, active and ended. Sessions of a deleted user are gone. */
  async listSessions(userId: string, options?: ReadOptions): Promise<Session[]> {
    return this.all((cursor) => this.pageSessions(userId, { ...options, cursor }));
  }

  async pageSessions(userId: string, options: PageOptions = {}): Promise<Page<Session>> {
    return this.queryTablePage(queries.userSessions(userId), options) as Promise<Page<Session>>;
  }

  /** An organization by Clerk id; a deleted one only with `includeDeleted`. */
  async getOrganization<O extends ReadOptions | undefined = undefined>(
    orgId: string,
    options?: O,
  ): Promise<WithDeleted<Organization, DeletedOrganization, O> | undefined> {
    return this.getItem(keys.organization(orgId), options) as Promise<WithDeleted<Organization, DeletedOrganization, O> | undefined>;
  }

  /** The organization with this slug, every public attribute, in one Query of the gsi1 index (eventually consistent). */
  async getOrganizationBySlug(slug: string): Promise<IndexedOrganization | undefined> {
    const [item] = await this.queryIndexAll(queries.organizationBySlug(slug));
    return item as IndexedOrganization | undefined;
  }

  /** An organization's memberships (role, permissions); removed ones only with `includeDeleted`. */
  async listOrganizationMembers<O extends ReadOptions | undefined = undefined>(
    orgId: string,
    options?: O,
  ): Promise<Array<WithDeleted<Membership, DeletedMembership, O>>> {
    return this.all((cursor) => this.pageOrganizationMembers(orgId, { ...options, cursor })) as Promise<
      Array<WithDeleted<Membership, DeletedMembership, O>>
    >;
  }

  async pageOrganizationMembers(orgId: string, options: PageOptions = {}): Promise<Page<Membership | DeletedMembership>> {
    return this.queryTablePage(queries.organizationMembers(orgId), options) as Promise<Page<Membership | DeletedMembership>>;
  }

  /**
   * The user's current memberships, one per organization, every public attribute, through the
   * gsi1 index (eventually consistent). Removed memberships are not indexed, so they never appear here.
   */
  async listUserOrganizations(userId: string): Promise<IndexedMembership[]> {
    return this.all((cursor) => this.pageUserOrganizations(userId, { cursor }));
  }

  async pageUserOrganizations(
    userId: string,
    options: Omit<PageOptions, 'consistentRead' | 'includeDeleted'> = {},
  ): Promise<Page<IndexedMembership>> {
    return this.queryIndexPage(queries.userOrganizations(userId), options) as Promise<Page<IndexedMembership>>;
  }

  private async getItem(key: ItemKey, options: ReadOptions | undefined): Promise<unknown> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: options?.consistentRead ?? false }),
    );
    if (!Item || (Item.deleted === true && !options?.includeDeleted)) return undefined;
    return withoutStorageAttributes(Item);
  }

  private queryTablePage(query: KeyQuery, options: PageOptions): Promise<Page<unknown>> {
    return this.queryPage({ ...query, ConsistentRead: options.consistentRead ?? false }, options);
  }

  private queryIndexPage(query: KeyQuery, options: PageOptions): Promise<Page<unknown>> {
    // Tombstones carry no gsi1 keys, so the index holds live items only.
    return this.queryPage(query, { ...options, includeDeleted: false });
  }

  private async queryIndexAll(query: KeyQuery): Promise<unknown[]> {
    return this.all((cursor) => this.queryIndexPage(query, { cursor }));
  }

  private async queryPage(input: KeyQuery & { readonly ConsistentRead?: boolean }, options: PageOptions): Promise<Page<unknown>> {
    const { Items, LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        ...input,
        TableName: this.tableName,
        Limit: options.pageSize ?? DEFAULT_PAGE_SIZE,
        ...(options.cursor ? { ExclusiveStartKey: decodeCursor(options.cursor) } : {}),
      }),
    );
    const items = (Items ?? []).filter((item) => options.includeDeleted || item.deleted !== true).map(withoutStorageAttributes);
    return LastEvaluatedKey ? { items, nextCursor: encodeCursor(LastEvaluatedKey) } : { items };
  }

  private async all<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await fetchPage(cursor);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return items;
  }
}

function withoutStorageAttributes(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !STORAGE_ATTRIBUTES.has(name)));
}

/** Opaque to callers: DynamoDB's last evaluated key (key attributes only), URL-safe. */
function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new InvalidCursorError('cursor is not one this reader returned');
}
