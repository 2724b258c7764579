import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { createHash, randomUUID } from 'node:crypto';
import type { ClerkEventEnvelope } from '../../lambdas/shared/clerk-events';
import { queuedMessageBody } from '../../lambdas/verifier/enqueue-event';
import { BOOKKEEPING_ATTRIBUTES } from '../../lambdas/shared/table-schema';
import {
  clerkEnvelope,
  emailVerification,
  sampleMembership,
  sampleOrganization,
  sampleSession,
  sampleUser,
  sampleEvent,
} from '../../lambdas/shared/sample-events';

/**
 * Random valid Clerk histories for the correctness property (docs/consistency.md): what Clerk
 * could send for a few users and organizations, in the order it happened, with strictly
 * increasing times.
 */

export interface HistoryEvent {
  readonly svixId: string;
  readonly event: ClerkEventEnvelope;
}

export interface HistoryOptions {
  /** Commands drawn per history; some emit more than one event. */
  readonly minCommands?: number;
  readonly maxCommands?: number;
  /** Few users and organizations make deletions, rejoins and collisions likely. */
  readonly users?: number;
  readonly organizations?: number;
}

const ACTIONS = [
  // [action, weight]
  ['userCreate', 8],
  ['userUpdate', 14],
  ['userDelete', 4],
  ['sessionCreate', 12],
  ['sessionEnd', 9],
  ['organizationCreate', 5],
  ['organizationUpdate', 6],
  ['organizationDelete', 3],
  ['membershipCreate', 14],
  ['membershipUpdate', 7],
  ['membershipDelete', 9],
  ['unmodelled', 3],
] as const;

type Action = (typeof ACTIONS)[number][0];

interface Command {
  readonly action: Action;
  /** Chooses among candidates (which user, which session...). */
  readonly pick: number;
  /** Chooses a variant of the action (which field changes, which terminal status...). */
  readonly variant: number;
  /** Milliseconds since the previous event: every event is strictly later than the one before. */
  readonly gap: number;
}

const commandArbitrary: fc.Arbitrary<Command> = fc.record({
  action: fc.oneof(...ACTIONS.map(([action, weight]) => ({ arbitrary: fc.constant<Action>(action), weight }))),
  pick: fc.nat(),
  variant: fc.nat(),
  gap: fc.integer({ min: 1, max: 90_000 }),
});

export function historyArbitrary(options: HistoryOptions = {}): fc.Arbitrary<HistoryEvent[]> {
  const minLength = options.minCommands ?? 8;
  const maxLength = options.maxCommands ?? 30;
  return fc
    .tuple(fc.array(commandArbitrary, { minLength, maxLength }), fc.integer({ min: 0, max: 2 ** 31 - 1 }))
    .map(([commands, seed]) => new HistoryBuilder(options, seed).run(commands));
}

/**
 * A permutation of the history in which every event appears at least once, some two or three
 * times, and at least one event more than once: every delivery exercises duplicates.
 */
export function deliveriesArbitrary(history: readonly HistoryEvent[]): fc.Arbitrary<HistoryEvent[]> {
  const copies = fc.oneof(
    { arbitrary: fc.constant(1), weight: 6 },
    { arbitrary: fc.constant(2), weight: 3 },
    { arbitrary: fc.constant(3), weight: 1 },
  );
  return fc
    .tuple(fc.array(copies, { minLength: history.length, maxLength: history.length }), fc.nat())
    .chain(([counts, duplicated]) => {
      const copiesOf = (index: number) =>
        index === duplicated % history.length ? Math.max(2, counts[index] ?? 1) : (counts[index] ?? 1);
      const all = history.flatMap((event, index) => Array.from({ length: copiesOf(index) }, () => event));
      return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
    });
}

/**
 * One delivery of a history event as the processor receives it: an SQS record whose body is
 * the QueuedEvent the verifier would send. Each call is a distinct SQS message (Svix retries
 * and replays reach the queue as new messages with the same svix id).
 */
export function sqsRecordOf(delivery: HistoryEvent): SQSRecord {
  return sqsRecordWithBody(queuedBodyOf(delivery.svixId, delivery.event));
}

/** The QueuedEvent (v2) the verifier sends for an event delivered as the JSON of `event`. */
export function queuedBodyOf(svixId: string, event: unknown, receivedAt = new Date()): string {
  const raw = Buffer.from(JSON.stringify(event));
  return queuedMessageBody({
    svixId,
    svixTimestamp: Math.floor(receivedAt.getTime() / 1000),
    receivedAt: receivedAt.toISOString(),
    raw,
    text: raw.toString('utf8'),
    eventType: (event as { type: string }).type,
  });
}

/** An SQS record with any body, e.g. a malformed one. */
export function sqsRecordWithBody(body: string): SQSRecord {
  const now = String(Date.now());
  return {
    messageId: randomUUID(),
    receiptHandle: `handle-${randomUUID()}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: now,
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:clerk-sync-events',
    awsRegion: 'us-east-1',
  };
}

export function sqsEventOf(records: readonly SQSRecord[]): SQSEvent {
  return { Records: [...records] };
}

/** Every item of the table without bookkeeping attributes, sorted by pk then sk: what the correctness property compares. */
export async function readComparableTable(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client: documentClient }, { TableName: tableName, ConsistentRead: true })) {
    for (const item of page.Items ?? []) {
      const comparable = { ...item };
      for (const name of BOOKKEEPING_ATTRIBUTES) delete comparable[name];
      items.push(comparable);
    }
  }
  return items.sort((a, b) => compareKeys(String(a.pk), String(b.pk)) || compareKeys(String(a.sk), String(b.sk)));
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One line per event (svix id, type, entity, time): readable counterexamples instead of whole payloads. */
export function describeEvents(events: readonly HistoryEvent[]): string {
  return events
    .map(({ svixId, event }) => {
      const data = event.data;
      const entity = [data.id, data.user_id, (data.public_user_data as { user_id?: unknown } | undefined)?.user_id]
        .filter((part) => typeof part === 'string')
        .join(' ');
      const at = typeof data.updated_at === 'number' ? data.updated_at : event.timestamp;
      return `${svixId} ${event.type} ${entity} @${at}`;
    })
    .join('\n');
}

/**
 * Counts of the tricky cases in a history. Every history from `historyArbitrary` has at least
 * one of each (see `HistoryBuilder.coverTrickyCases`).
 */
export interface HistoryFeatures {
  readonly userDeletions: number;
  readonly organizationDeletions: number;
  readonly membershipDeletions: number;
  /** Memberships created for a user and organization that had an earlier membership. */
  readonly rejoins: number;
  readonly sessionEnds: number;
  readonly userUpdates: number;
  /** User or organization deletions that come after a session or membership of theirs: a cascade with work to do. */
  readonly deletionsWithChildren: number;
  /** User events whose primary address is not verified (created so, or changed to an unverified address): no mail may go to it. */
  readonly unverifiedAddresses: number;
}

export function historyFeatures(history: readonly HistoryEvent[]): HistoryFeatures {
  const count = (predicate: (type: string) => boolean) => history.filter(({ event }) => predicate(event.type)).length;
  const seenPairs = new Set<string>();
  const parentsWithChildren = new Set<string>();
  let rejoins = 0;
  let deletionsWithChildren = 0;
  for (const { event } of history) {
    if (event.type === 'session.created') parentsWithChildren.add(String(event.data.user_id));
    if (event.type === 'organizationMembership.created') {
      const pair = membershipPairOf(event);
      if (seenPairs.has(pair)) rejoins += 1;
      seenPairs.add(pair);
      for (const parent of pair.split('|')) parentsWithChildren.add(parent);
    }
    const parentDeletion = event.type === 'user.deleted' || event.type === 'organization.deleted';
    if (parentDeletion && parentsWithChildren.has(String(event.data.id))) deletionsWithChildren += 1;
  }
  return {
    userDeletions: count((type) => type === 'user.deleted'),
    organizationDeletions: count((type) => type === 'organization.deleted'),
    membershipDeletions: count((type) => type === 'organizationMembership.deleted'),
    rejoins,
    sessionEnds: count((type) => /^session\.(ended|removed|revoked)$/.test(type)),
    userUpdates: count((type) => type === 'user.updated'),
    deletionsWithChildren,
    unverifiedAddresses: history.filter(({ event }) => /^user\.(created|updated)$/.test(event.type) && !isPrimaryVerified(event)).length,
  };
}

/** Whether the primary address of a user event is verified, as Clerk marks it. */
export function isPrimaryVerified(event: ClerkEventEnvelope): boolean {
  const data = event.data as { primary_email_address_id?: string; email_addresses?: { id: string; verification?: { status?: string } }[] };
  return data.email_addresses?.find((address) => address.id === data.primary_email_address_id)?.verification?.status === 'verified';
}

function membershipPairOf(event: ClerkEventEnvelope): string {
  const organization = event.data.organization as { id: string };
  const userData = event.data.public_user_data as { user_id: string };
  return `${organization.id}|${userData.user_id}`;
}

type Lifecycle = 'unborn' | 'alive' | 'deleted';

interface UserState {
  readonly id: string;
  status: Lifecycle;
  createdAt: number;
  /** The fields a user.updated may change; null clears the field, as Clerk sends it. */
  patch: Record<string, unknown>;
  emails: string[];
  /** Whether the primary (the last of `emails`) is verified. */
  verified: boolean;
}

interface OrganizationState {
  readonly id: string;
  status: Lifecycle;
  createdAt: number;
  patch: Record<string, unknown>;
}

interface SessionState {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: number;
  ended: boolean;
}

interface MembershipState {
  readonly id: string;
  readonly userId: string;
  readonly orgId: string;
  readonly createdAt: number;
  role: string;
  updatedAt: number;
}

const TERMINAL_SESSION_EVENTS = ['session.ended', 'session.removed', 'session.revoked'] as const;
type TerminalSessionEvent = (typeof TERMINAL_SESSION_EVENTS)[number];
const ROLES = ['org:admin', 'org:member'] as const;

/** Interprets random commands against a model of Clerk's state, emitting only events Clerk could send. */
class HistoryBuilder {
  private readonly events: HistoryEvent[] = [];
  private readonly users: UserState[] = [];
  private readonly organizations: OrganizationState[] = [];
  private readonly sessions: SessionState[] = [];
  private readonly memberships = new Map<string, MembershipState>();
  private readonly tag: string;
  private clock = 1_717_000_000_000;
  private counter = 0;

  constructor(
    options: HistoryOptions,
    private readonly seed: number,
  ) {
    this.tag = seed.toString(36).padStart(6, '0');
    for (let index = 0; index < (options.users ?? 3); index += 1) this.addUser();
    for (let index = 0; index < (options.organizations ?? 2); index += 1) this.addOrganization();
  }

  run(commands: readonly Command[]): HistoryEvent[] {
    for (const command of commands) {
      this.clock += command.gap;
      this.apply(command);
    }
    this.coverTrickyCases();
    return this.events;
  }

  private apply(command: Command): void {
    switch (command.action) {
      case 'userCreate':
        return this.userCreate(command);
      case 'userUpdate':
        return this.userUpdate(command);
      case 'userDelete':
        return this.userDelete(command);
      case 'sessionCreate':
        return this.sessionCreate(command);
      case 'sessionEnd':
        return this.sessionEnd(command);
      case 'organizationCreate':
        return this.organizationCreate(command);
      case 'organizationUpdate':
        return this.organizationUpdate(command);
      case 'organizationDelete':
        return this.organizationDelete(command);
      case 'membershipCreate':
        return this.membershipCreate(command);
      case 'membershipUpdate':
        return this.membershipUpdate(command);
      case 'membershipDelete':
        return this.membershipDelete(command);
      case 'unmodelled':
        return this.emit(sampleEvent('email.created', { at: this.clock, userId: this.users[0]!.id }));
    }
  }

  /**
   * Whatever the random commands did, each history ends with at least one of every case that
   * breaks naive processors (every `HistoryFeatures` count is positive), so a property test
   * over these histories can neither pass without meeting them nor flake on coverage. Only
   * what is missing is added, after the random part; delivery shuffles it in anyway. The
   * seed varies the details (role, terminal status, follow-up events, seconds timestamps).
   */
  private coverTrickyCases(): void {
    const missing = (feature: keyof HistoryFeatures) => historyFeatures(this.events)[feature] === 0;
    const variant = this.seed;
    if (missing('userUpdates')) {
      this.tick();
      this.updateUser(this.aliveOrNewUser(), variant);
    }
    if (missing('sessionEnds')) {
      this.tick();
      const session = this.createSession(this.aliveOrNewUser());
      this.endSession(session, TERMINAL_SESSION_EVENTS[variant % TERMINAL_SESSION_EVENTS.length]!);
    }
    if (missing('rejoins')) {
      this.tick();
      const user = this.aliveOrNewUser();
      const organization = this.aliveOrNewOrganization();
      const role = ROLES[variant % ROLES.length]!;
      const current = this.memberships.get(pairKey(organization.id, user.id));
      this.deleteMembership(current ?? this.createMembership(user, organization, role));
      this.tick();
      this.createMembership(user, organization, role);
    }
    if (missing('membershipDeletions')) {
      this.tick();
      const membership =
        [...this.memberships.values()][0] ??
        this.createMembership(this.aliveOrNewUser(), this.aliveOrNewOrganization(), ROLES[0]);
      this.deleteMembership(membership);
    }
    if (missing('userDeletions') || missing('deletionsWithChildren')) {
      // The cascade race: a user deleted while a session and memberships of theirs exist.
      const user =
        this.aliveUsers().find((candidate) => this.membershipsOf(candidate.id).length > 0) ?? this.aliveOrNewUser();
      this.tick();
      this.createSession(user);
      this.tick();
      this.deleteUser(user, variant >> 1);
    }
    if (missing('unverifiedAddresses')) {
      // A user whose address is unverified and then verified: the welcome must wait for it.
      const user = this.aliveOrNewUser();
      this.tick();
      this.setVerified(user, false);
      this.tick();
      this.setVerified(user, true);
    }
    if (missing('organizationDeletions')) {
      const memberships = [...this.memberships.values()];
      const organization =
        this.aliveOrganizations().find((candidate) => memberships.some(({ orgId }) => orgId === candidate.id)) ??
        this.aliveOrNewOrganization();
      this.tick();
      this.deleteOrganization(organization, variant >> 2);
    }
  }

  private tick(): void {
    this.clock += 1000;
  }

  // ---- users

  private addUser(): UserState {
    const index = this.users.length;
    const user: UserState = {
      id: `user_2${this.tag}U${index}`,
      status: 'unborn',
      createdAt: 0,
      patch: {},
      emails: [`User${index}.Tester${this.tag}@Example.com`],
      verified: true,
    };
    this.users.push(user);
    return user;
  }

  /** An alive user, else a newly created one (from the unborn, or beyond the configured number). */
  private aliveOrNewUser(): UserState {
    const user = this.aliveUsers()[0] ?? this.users.find((candidate) => candidate.status === 'unborn') ?? this.addUser();
    if (user.status === 'unborn') {
      this.createUser(user);
      this.tick();
    }
    return user;
  }

  private userCreate(command: Command): void {
    const user = pick(this.users.filter((candidate) => candidate.status === 'unborn'), command.pick);
    if (user === undefined) return this.userUpdate(command);
    // Some sign up with an address they have not verified yet.
    this.createUser(user, command.variant % 3 !== 0);
  }

  private createUser(user: UserState, verified = true): void {
    user.verified = verified;
    user.status = 'alive';
    user.createdAt = this.clock;
    this.emit(clerkEnvelope('user.created', this.userData(user), this.clock));
  }

  private userUpdate(command: Command): void {
    const user = pick(this.aliveUsers(), command.pick);
    if (user === undefined) return this.userCreateAny(command);
    this.updateUser(user, command.variant);
  }

  private updateUser(user: UserState, variant: number): void {
    switch (variant % 6) {
      case 5:
        // The primary address gets verified, or a new, unverified one becomes primary.
        if (user.verified) user.emails.push(`Unverified${this.clock % 9973}.${user.emails[0]}`);
        user.verified = !user.verified;
        break;
      case 0:
        user.patch.username = user.patch.username === null ? `name${this.clock % 997}` : null;
        break;
      case 1:
        // A new address becomes primary; Clerk keeps the old one in the list.
        user.emails.push(`Changed${this.clock % 9973}.${user.emails[0]}`);
        break;
      case 2:
        user.patch.first_name = `First${variant % 97}`;
        user.patch.last_name = variant % 2 === 0 ? null : `Last${variant % 89}`;
        break;
      case 3:
        user.patch.image_url = variant % 2 === 0 ? null : `https://img.clerk.com/v${this.clock}`;
        user.patch.external_id = variant % 3 === 0 ? null : `crm-${variant % 1000}`;
        break;
      default:
        user.patch.last_sign_in_at = this.clock;
    }
    this.emit(clerkEnvelope('user.updated', this.userData(user), this.clock));
  }

  private setVerified(user: UserState, verified: boolean): void {
    if (!verified) user.emails.push(`Unverified${this.clock % 9973}.${user.emails[0]}`);
    user.verified = verified;
    this.emit(clerkEnvelope('user.updated', this.userData(user), this.clock));
  }

  private userCreateAny(command: Command): void {
    if (this.users.some((user) => user.status === 'unborn')) this.userCreate(command);
  }

  private userDelete(command: Command): void {
    const user = pick(this.aliveUsers(), command.pick);
    if (user === undefined) return;
    this.deleteUser(user, command.variant);
  }

  private deleteUser(user: UserState, variant: number): void {
    user.status = 'deleted';
    // Timestamp in seconds for some deletions: Clerk's examples show seconds, its docs milliseconds.
    const at = variant % 3 === 0 ? Math.floor(this.clock / 1000) : this.clock;
    this.emit(clerkEnvelope('user.deleted', { deleted: true, id: user.id, object: 'user' }, at));
    // Clerk may follow a deletion with the ends of the user's sessions and memberships.
    const followUps = variant % 2 === 0;
    for (const session of this.sessions.filter((candidate) => candidate.userId === user.id && !candidate.ended)) {
      session.ended = true;
      if (followUps) this.emitSessionEnd(session, 'session.removed');
    }
    for (const membership of this.membershipsOf(user.id)) {
      this.memberships.delete(pairKey(membership.orgId, membership.userId));
      if (followUps) this.emitMembershipDeleted(membership);
    }
  }

  private userData(user: UserState): Record<string, unknown> {
    const primary = user.emails[user.emails.length - 1]!;
    const base = sampleUser({ userId: user.id, email: primary, at: this.clock, createdAt: user.createdAt });
    const addresses = user.emails.map((email, index) => ({
      ...(base.email_addresses as Record<string, unknown>[])[1],
      email_address: email,
      id: `idn_${user.id.slice(5)}${index}`,
      // Earlier addresses were verified when they were primary; only the current one may not be.
      verification: emailVerification(index < user.emails.length - 1 || user.verified, this.clock),
    }));
    // The primary is listed first only sometimes: only primary_email_address_id says which one it is.
    const ordered = user.emails.length % 2 === 0 ? addresses : [...addresses].reverse();
    return {
      ...base,
      email_addresses: ordered,
      primary_email_address_id: `idn_${user.id.slice(5)}${user.emails.length - 1}`,
      ...user.patch,
    };
  }

  private aliveUsers(): UserState[] {
    return this.users.filter((user) => user.status === 'alive');
  }

  // ---- sessions

  private sessionCreate(command: Command): void {
    const user = pick(this.aliveUsers(), command.pick);
    if (user === undefined) return this.userCreateAny(command);
    this.createSession(user);
  }

  private createSession(user: UserState): SessionState {
    const session: SessionState = { id: `sess_2${this.nextId()}`, userId: user.id, createdAt: this.clock, ended: false };
    this.sessions.push(session);
    const data = sampleSession({ sessionId: session.id, userId: user.id, at: this.clock, createdAt: this.clock }, 'active');
    this.emit(clerkEnvelope('session.created', data, this.clock));
    return session;
  }

  private sessionEnd(command: Command): void {
    const session = pick(
      this.sessions.filter((candidate) => !candidate.ended),
      command.pick,
    );
    if (session === undefined) return this.sessionCreate(command);
    this.endSession(session, TERMINAL_SESSION_EVENTS[command.variant % TERMINAL_SESSION_EVENTS.length]!);
  }

  private endSession(session: SessionState, type: TerminalSessionEvent): void {
    session.ended = true;
    this.emitSessionEnd(session, type);
  }

  private emitSessionEnd(session: SessionState, type: TerminalSessionEvent): void {
    this.clock += 1;
    const status = type.slice('session.'.length);
    const data = sampleSession(
      { sessionId: session.id, userId: session.userId, at: this.clock, createdAt: session.createdAt },
      status,
    );
    this.emit(clerkEnvelope(type, data, this.clock));
  }

  // ---- organizations

  private addOrganization(): OrganizationState {
    const organization: OrganizationState = {
      id: `org_2${this.tag}O${this.organizations.length}`,
      status: 'unborn',
      createdAt: 0,
      patch: {},
    };
    this.organizations.push(organization);
    return organization;
  }

  private aliveOrNewOrganization(): OrganizationState {
    const organization =
      this.aliveOrganizations()[0] ??
      this.organizations.find((candidate) => candidate.status === 'unborn') ??
      this.addOrganization();
    if (organization.status === 'unborn') {
      this.createOrganization(organization);
      this.tick();
    }
    return organization;
  }

  private organizationCreate(command: Command): void {
    const organization = pick(
      this.organizations.filter((candidate) => candidate.status === 'unborn'),
      command.pick,
    );
    if (organization === undefined) return this.organizationUpdate(command);
    this.createOrganization(organization);
  }

  private createOrganization(organization: OrganizationState): void {
    organization.status = 'alive';
    organization.createdAt = this.clock;
    this.emit(clerkEnvelope('organization.created', this.organizationData(organization), this.clock));
  }

  private organizationUpdate(command: Command): void {
    const organization = pick(this.aliveOrganizations(), command.pick);
    if (organization === undefined) return this.organizationCreateAny(command);
    if (command.variant % 2 === 0) {
      organization.patch.slug = organization.patch.slug === null ? `renamed-${this.clock % 9973}` : null;
    } else {
      organization.patch.name = `Renamed ${command.variant % 1000}`;
    }
    this.emit(clerkEnvelope('organization.updated', this.organizationData(organization), this.clock));
  }

  private organizationCreateAny(command: Command): void {
    if (this.organizations.some((organization) => organization.status === 'unborn')) this.organizationCreate(command);
  }

  private organizationDelete(command: Command): void {
    const organization = pick(this.aliveOrganizations(), command.pick);
    if (organization === undefined) return;
    this.deleteOrganization(organization, command.variant);
  }

  private deleteOrganization(organization: OrganizationState, variant: number): void {
    organization.status = 'deleted';
    this.emit(clerkEnvelope('organization.deleted', { deleted: true, id: organization.id, object: 'organization' }, this.clock));
    const followUps = variant % 2 === 0;
    for (const membership of [...this.memberships.values()].filter((candidate) => candidate.orgId === organization.id)) {
      this.memberships.delete(pairKey(membership.orgId, membership.userId));
      if (followUps) this.emitMembershipDeleted(membership);
    }
  }

  private organizationData(organization: OrganizationState): Record<string, unknown> {
    const base = sampleOrganization({ orgId: organization.id, at: this.clock, createdAt: organization.createdAt });
    return { ...base, ...organization.patch };
  }

  private aliveOrganizations(): OrganizationState[] {
    return this.organizations.filter((organization) => organization.status === 'alive');
  }

  // ---- memberships

  private membershipCreate(command: Command): void {
    const users = this.aliveUsers();
    const organizations = this.aliveOrganizations();
    if (users.length === 0) return this.userCreateAny(command);
    if (organizations.length === 0) return this.organizationCreateAny(command);
    const free = users.flatMap((user) =>
      organizations
        .filter((organization) => !this.memberships.has(pairKey(organization.id, user.id)))
        .map((organization) => ({ user, organization })),
    );
    const choice = pick(free, command.pick);
    if (choice === undefined) return this.membershipDelete(command);
    this.createMembership(choice.user, choice.organization, ROLES[command.variant % ROLES.length]!);
  }

  private createMembership(user: UserState, organization: OrganizationState, role: string): MembershipState {
    const membership: MembershipState = {
      id: `orgmem_2${this.nextId()}`,
      userId: user.id,
      orgId: organization.id,
      createdAt: this.clock,
      role,
      updatedAt: this.clock,
    };
    this.memberships.set(pairKey(membership.orgId, membership.userId), membership);
    this.emit(clerkEnvelope('organizationMembership.created', this.membershipData(membership), this.clock));
    return membership;
  }

  private membershipUpdate(command: Command): void {
    const membership = pick([...this.memberships.values()], command.pick);
    if (membership === undefined) return this.membershipCreate(command);
    membership.role = membership.role === 'org:admin' ? 'org:member' : 'org:admin';
    membership.updatedAt = this.clock;
    this.emit(clerkEnvelope('organizationMembership.updated', this.membershipData(membership), this.clock));
  }

  private membershipDelete(command: Command): void {
    const membership = pick([...this.memberships.values()], command.pick);
    if (membership === undefined) return;
    this.deleteMembership(membership);
  }

  private deleteMembership(membership: MembershipState): void {
    this.memberships.delete(pairKey(membership.orgId, membership.userId));
    this.emitMembershipDeleted(membership);
  }

  private membershipsOf(userId: string): MembershipState[] {
    return [...this.memberships.values()].filter((membership) => membership.userId === userId);
  }

  /** The deletion carries the membership as it last was: its updated_at is not the deletion time. */
  private emitMembershipDeleted(membership: MembershipState): void {
    this.clock += 1;
    this.emit(clerkEnvelope('organizationMembership.deleted', this.membershipData(membership), this.clock));
  }

  private membershipData(membership: MembershipState): Record<string, unknown> {
    const user = this.users.find((candidate) => candidate.id === membership.userId)!;
    return sampleMembership(
      {
        membershipId: membership.id,
        userId: membership.userId,
        orgId: membership.orgId,
        email: user.emails[user.emails.length - 1],
        at: membership.updatedAt,
        createdAt: membership.createdAt,
      },
      membership.role,
    );
  }

  // ---- plumbing

  private emit(event: ClerkEventEnvelope): void {
    this.events.push({ svixId: `msg_2${this.seed.toString(36)}${this.nextId()}`, event });
  }

  private nextId(): string {
    this.counter += 1;
    // Not in time order: svix ids must not need to be.
    return `${((this.counter * 7919) % 10007).toString(36).padStart(3, '0')}${this.counter.toString(36)}`;
  }
}

function pairKey(orgId: string, userId: string): string {
  return `${orgId}|${userId}`;
}

function pick<T>(candidates: readonly T[], index: number): T | undefined {
  return candidates.length === 0 ? undefined : candidates[index % candidates.length];
}

/**
 * A backfill snapshot within a delivery: the state Clerk's Backend API held after the history's
 * first `takenAfter` events, swept into the table when the first `appliedAfter` deliveries are in.
 */
export interface SnapshotPoint {
  readonly takenAfter: number;
  readonly appliedAfter: number;
}

/** One to three snapshots, taken anywhere in the history and applied anywhere in the delivery, in order of application. */
export function snapshotPointsArbitrary(history: readonly HistoryEvent[], deliveries: readonly HistoryEvent[]): fc.Arbitrary<SnapshotPoint[]> {
  return fc
    .array(
      fc.record({
        takenAfter: fc.integer({ min: 0, max: history.length }),
        appliedAfter: fc.integer({ min: 0, max: deliveries.length }),
      }),
      { minLength: 1, maxLength: 3 },
    )
    .map((points) => [...points].sort((a, b) => a.appliedAfter - b.appliedAfter));
}

/** A history, its shuffled and duplicated delivery, backfill snapshots within it, and how the delivery is batched. */
export interface SnapshotScenario {
  readonly history: readonly HistoryEvent[];
  readonly deliveries: readonly HistoryEvent[];
  readonly snapshots: readonly SnapshotPoint[];
  readonly batchSizes: readonly number[];
  readonly inFlight: number;
}

/** The scenario of the backfill property tests; fast-check prints it as history, snapshots and delivery. */
export function snapshotScenarioArbitrary(options: { readonly minCommands: number; readonly maxCommands: number; readonly maxBatches: number }): fc.Arbitrary<SnapshotScenario> {
  return historyArbitrary({ minCommands: options.minCommands, maxCommands: options.maxCommands })
    .chain((history) => fc.record({ history: fc.constant(history), deliveries: deliveriesArbitrary(history) }))
    .chain(({ history, deliveries }) =>
      fc.record({
        history: fc.constant(history),
        deliveries: fc.constant(deliveries),
        snapshots: snapshotPointsArbitrary(history, deliveries),
        batchSizes: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: options.maxBatches }),
        inFlight: fc.integer({ min: 1, max: 3 }),
      }),
    )
    .map((run) => Object.assign(run, { [fc.toStringMethod]: () => describeSnapshotScenario(run) }));
}

export function describeSnapshotScenario(run: SnapshotScenario): string {
  return (
    `history:\n${describeEvents(run.history)}\n` +
    `snapshots (taken after event, applied after delivery): ${run.snapshots.map((point) => `${point.takenAfter}→${point.appliedAfter}`).join(', ')}\n` +
    `deliveries (batches ${run.batchSizes.join(',')}, ${run.inFlight} in flight):\n${describeEvents(run.deliveries)}`
  );
}
