import { MalformedEventError } from '../shared/errors';
import { sampleEvent, withData } from '../shared/sample-events';
import { parseClerkEvent } from './parse-clerk-event';

describe('parseClerkEvent', () => {
  it('passes unknown event types through as unmodelled', () => {
    expect(parseClerkEvent(sampleEvent('email.created'))).toEqual({ modelled: false, type: 'email.created' });
  });

  it('orders by data.updated_at and keeps the envelope time as the occurrence time', () => {
    const event = { ...sampleEvent('user.updated', { at: 1_717_000_000_123 }), timestamp: 1_717_000_009_999 };
    expect(parseClerkEvent(event)).toMatchObject({
      modelled: true,
      entityId: 'user_2ZdwC8QHcMx4u6aXlCD6N3YyLbH',
      version: 1_717_000_000_123,
      occurredAt: 1_717_000_009_999,
    });
  });

  it('falls back to the envelope timestamp, in seconds or milliseconds, when there is no updated_at', () => {
    const inMillis = sampleEvent('user.deleted', { at: 1_717_000_000_500 });
    const inSeconds = { ...inMillis, timestamp: 1_717_000_000 };
    expect(parseClerkEvent(inMillis)).toMatchObject({ version: 1_717_000_000_500, occurredAt: 1_717_000_000_500 });
    expect(parseClerkEvent(inSeconds)).toMatchObject({ version: 1_717_000_000_000, occurredAt: 1_717_000_000_000 });
  });

  it('reads updated_at in seconds too', () => {
    const event = withData(sampleEvent('organization.updated'), { updated_at: 1_717_000_001 });
    expect(parseClerkEvent(event)).toMatchObject({ version: 1_717_000_001_000 });
  });

  it.each([
    ['user.created', { id: null }, 'data.id'],
    ['user.deleted', { id: '' }, 'data.id'],
    ['session.created', { user_id: undefined }, 'data.user_id'],
    ['session.ended', { user_id: 42 }, 'data.user_id'],
    ['organizationMembership.created', { role: null }, 'data.role'],
    ['organizationMembership.updated', { organization: null }, 'data.organization'],
    ['organizationMembership.deleted', { public_user_data: { user_id: null } }, 'data.public_user_data.user_id'],
    ['organizationMembership.deleted', { created_at: 'yesterday' }, 'data.created_at'],
  ])('rejects %s whose %j lacks a required field, naming the field', (type, patch, field) => {
    const event = withData(sampleEvent(type), patch);
    expect(() => parseClerkEvent(event)).toThrow(MalformedEventError);
    expect(() => parseClerkEvent(event)).toThrow(field);
  });

  it('rejects a modelled event whose data is not an object', () => {
    expect(() => parseClerkEvent({ ...sampleEvent('user.created'), data: 'x' as unknown as Record<string, unknown> })).toThrow(
      MalformedEventError,
    );
  });

  it('rejects a modelled event with no time to order it by', () => {
    const { timestamp: _ignored, ...withoutTimestamp } = withData(sampleEvent('organization.updated'), { updated_at: null });
    expect(() => parseClerkEvent(withoutTimestamp)).toThrow('neither data.updated_at nor the envelope timestamp');
  });

  it('accepts a membership deletion without a role: only upserts need one', () => {
    const event = withData(sampleEvent('organizationMembership.deleted'), { role: null });
    expect(parseClerkEvent(event)).toMatchObject({ modelled: true, entityId: 'orgmem_2ZdwJ0mW3Gq5yHn8sLx1Vb7Kc4P' });
  });

  it('does not quote field values in its errors (they may be personal data)', () => {
    const event = withData(sampleEvent('session.created'), { user_id: 'ada@example.com-not-an-id', id: '' });
    expect(() => parseClerkEvent(event)).toThrow(/^(?!.*ada@example)/);
  });
});
