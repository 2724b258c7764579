import type { ClerkSession } from '../shared/clerk-events';
import { sampleSession } from '../shared/sample-events';
import { keys } from '../shared/table-schema';
import { sessionItem, sessionLastSeenAt } from './session-item';

const session = (patch: Record<string, unknown> = {}) =>
  ({
    ...sampleSession({ sessionId: 'sess_1', userId: 'user_1', createdAt: 1_717_000_000_000, at: 1_717_000_060_000 }),
    ...patch,
  }) as unknown as ClerkSession;

describe('sessionItem', () => {
  it('is active without endedAt', () => {
    expect(sessionItem(session(), 'active', { version: 1_717_000_060_000, lastEventId: 'msg_1' })).toEqual({
      ...keys.session('user_1', 'sess_1'),
      type: 'session',
      id: 'sess_1',
      userId: 'user_1',
      status: 'active',
      createdAt: '2024-05-29T16:26:40.000Z',
      expiresAt: '2024-06-05T16:26:40.000Z',
      version: 1_717_000_060_000,
      lastEventId: 'msg_1',
    });
  });

  it('carries endedAt (the event time) in a terminal status, and no expiresAt when Clerk sends none', () => {
    const item = sessionItem(session({ expire_at: null }), 'revoked', { version: 1_717_000_060_000, lastEventId: 'msg_2' });
    expect(item).toMatchObject({ status: 'revoked', endedAt: '2024-05-29T16:27:40.000Z' });
    expect(item).not.toHaveProperty('expiresAt');
  });
});

describe('sessionLastSeenAt', () => {
  it('is the last activity, else the creation, else the event time', () => {
    expect(sessionLastSeenAt(session(), 1)).toBe('2024-05-29T16:27:40.000Z');
    expect(sessionLastSeenAt(session({ last_active_at: null }), 1)).toBe('2024-05-29T16:26:40.000Z');
    expect(sessionLastSeenAt(session({ last_active_at: null, created_at: null }), 1_717_000_000_000)).toBe(
      '2024-05-29T16:26:40.000Z',
    );
  });
});
