import { randomBytes } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { ClerkEventEnvelope } from '../lambdas/shared/clerk-events';
import { QUEUED_EVENT_ATTRIBUTES } from '../lambdas/shared/queued-event';
import { queuedMessageBody } from '../lambdas/verifier/enqueue-event';
import { type SampleIds, sampleEvent } from '../lambdas/shared/sample-events';
import { newSvixId } from './payloads';

/**
 * A stream of Clerk events with a plausible mix of types, over a population that stays coherent
 * (sessions of existing users end, members join existing organizations...). The mix is an
 * assumption, not a measurement: sign-ins and sign-outs dominate real Clerk traffic, profile
 * updates follow, organization changes are rare; `email.created` stands for the types this
 * project does not model.
 */
export const TRAFFIC_MIX: Readonly<Record<string, number>> = {
  'session.created': 30,
  'session.ended': 15,
  'session.removed': 10,
  'session.revoked': 2,
  'user.created': 5,
  'user.updated': 15,
  'user.deleted': 1,
  'organization.created': 1,
  'organization.updated': 2,
  'organizationMembership.created': 4,
  'organizationMembership.updated': 2,
  'organizationMembership.deleted': 1,
  'email.created': 12,
};

/** The mix's stand-in for every type this project does not model. */
export const UNMODELLED_TYPE = 'email.created';

/** Share of the mix's events of types this project does not model. */
export function unmodelledShare(): number {
  const total = Object.values(TRAFFIC_MIX).reduce((a, b) => a + b, 0);
  return (TRAFFIC_MIX[UNMODELLED_TYPE] ?? 0) / total;
}

export interface WorkloadEvent {
  readonly svixId: string;
  readonly event: ClerkEventEnvelope;
}

interface Member {
  readonly userId: string;
  readonly orgId: string;
  readonly membershipId: string;
  readonly createdAt: number;
}

/** Fresh ids for every run, so runs against one table never touch each other's items. */
function uid(prefix: string): string {
  return `${prefix}_2${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
}

export function generateWorkload(count: number, random: () => number, startAt = Date.now()): WorkloadEvent[] {
  const users: string[] = [];
  const activeSessions: { sessionId: string; userId: string; createdAt: number }[] = [];
  const orgs: string[] = [];
  const members: Member[] = [];
  const types = Object.keys(TRAFFIC_MIX);
  const weights = types.map((type) => TRAFFIC_MIX[type]!);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const pickType = (): string => {
    let ticket = random() * totalWeight;
    for (let i = 0; i < types.length; i += 1) {
      ticket -= weights[i]!;
      if (ticket < 0) return types[i]!;
    }
    return types[types.length - 1]!;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const takeAt = <T>(items: T[], index: number): T => items.splice(index, 1)[0]!;

  const events: WorkloadEvent[] = [];
  const emit = (type: string, ids: SampleIds): void => {
    events.push({ svixId: newSvixId(), event: sampleEvent(type, ids) });
  };
  // A small population first, so the mix has users, sessions and organizations to act on.
  for (let i = 0; i < Math.min(5, count); i += 1) {
    const userId = uid('user');
    users.push(userId);
    emit('user.created', { userId, email: `${userId.toLowerCase()}@example.com`, at: startAt + events.length });
  }
  while (events.length < count) {
    const at = startAt + events.length * 10;
    let type = pickType();
    if (type.startsWith('session.') && type !== 'session.created' && activeSessions.length === 0) type = 'session.created';
    if ((type === 'organization.updated' || type === 'organizationMembership.created') && orgs.length === 0) type = 'organization.created';
    if ((type === 'organizationMembership.updated' || type === 'organizationMembership.deleted') && members.length === 0) {
      type = orgs.length === 0 ? 'organization.created' : 'organizationMembership.created';
    }
    if ((type === 'user.updated' || type === 'user.deleted' || type === 'session.created') && users.length < 2) type = 'user.created';

    switch (type) {
      case 'user.created': {
        const userId = uid('user');
        users.push(userId);
        emit(type, { userId, email: `${userId.toLowerCase()}@example.com`, at });
        break;
      }
      case 'user.updated': {
        const userId = pick(users);
        emit(type, { userId, email: `${userId.toLowerCase()}@example.com`, at, createdAt: startAt });
        break;
      }
      case 'user.deleted': {
        const userId = takeAt(users, Math.floor(random() * users.length));
        for (let i = activeSessions.length - 1; i >= 0; i -= 1) if (activeSessions[i]!.userId === userId) activeSessions.splice(i, 1);
        for (let i = members.length - 1; i >= 0; i -= 1) if (members[i]!.userId === userId) members.splice(i, 1);
        emit(type, { userId, at });
        break;
      }
      case 'session.created': {
        const session = { sessionId: uid('sess'), userId: pick(users), createdAt: at };
        activeSessions.push(session);
        emit(type, { ...session, at });
        break;
      }
      case 'session.ended':
      case 'session.removed':
      case 'session.revoked': {
        const session = takeAt(activeSessions, Math.floor(random() * activeSessions.length));
        emit(type, { ...session, at });
        break;
      }
      case 'organization.created': {
        const orgId = uid('org');
        orgs.push(orgId);
        emit(type, { orgId, userId: pick(users), at });
        break;
      }
      case 'organization.updated':
        emit(type, { orgId: pick(orgs), userId: pick(users), at, createdAt: startAt });
        break;
      case 'organizationMembership.created': {
        const member = { userId: pick(users), orgId: pick(orgs), membershipId: uid('orgmem'), createdAt: at };
        if (members.some((m) => m.userId === member.userId && m.orgId === member.orgId)) {
          emit('organization.updated', { orgId: member.orgId, at, createdAt: startAt });
          break;
        }
        members.push(member);
        emit(type, { ...member, email: `${member.userId.toLowerCase()}@example.com`, at });
        break;
      }
      case 'organizationMembership.updated':
        emit(type, { ...pick(members), at });
        break;
      case 'organizationMembership.deleted': {
        const member = takeAt(members, Math.floor(random() * members.length));
        emit(type, { ...member, at });
        break;
      }
      default:
        emit(type, { userId: pick(users), at });
    }
  }
  return events;
}

/** The SQS message body the verifier would have queued for this event. */
export function queuedBody(item: WorkloadEvent, receivedAt = new Date()): string {
  const raw = Buffer.from(JSON.stringify(item.event));
  return queuedMessageBody({
    svixId: item.svixId,
    svixTimestamp: Math.floor(receivedAt.getTime() / 1000),
    receivedAt: receivedAt.toISOString(),
    raw,
    text: raw.toString('utf8'),
    eventType: item.event.type,
  });
}

/** Records as Lambda's SQS event source hands them over. */
export function sqsEvent(items: readonly WorkloadEvent[], queueArn = 'arn:aws:sqs:us-east-1:000000000000:clerk-sync-events'): SQSEvent {
  return { Records: items.map((item) => sqsRecord(item, queueArn)) };
}

function sqsRecord(item: WorkloadEvent, queueArn: string): SQSRecord {
  const now = String(Date.now());
  return {
    messageId: randomBytes(16).toString('hex'),
    receiptHandle: randomBytes(24).toString('base64'),
    body: queuedBody(item),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: now,
      SenderId: 'AROAEXAMPLE:clerk-webhook-verifier',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {
      [QUEUED_EVENT_ATTRIBUTES.svixId]: { dataType: 'String', stringValue: item.svixId, stringListValues: [], binaryListValues: [] },
      [QUEUED_EVENT_ATTRIBUTES.eventType]: { dataType: 'String', stringValue: item.event.type, stringListValues: [], binaryListValues: [] },
    },
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

/** Splits into consecutive batches of `size`. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
