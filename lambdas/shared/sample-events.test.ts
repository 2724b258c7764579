import { isModelledEventType } from './clerk-events';
import { parseClerkEvent } from '../processor/parse-clerk-event';
import { SAMPLE_EVENT_TYPES, sampleEvent } from './sample-events';

describe('sampleEvent', () => {
  it.each(SAMPLE_EVENT_TYPES)('builds a %s the processor accepts', (type) => {
    const event = sampleEvent(type, { userId: 'user_2x', orgId: 'org_2x', at: 1_717_000_000_000 });
    expect(event).toMatchObject({ type, object: 'event', timestamp: 1_717_000_000_000 });
    expect(parseClerkEvent(event).modelled).toBe(isModelledEventType(type));
  });

  it('covers every modelled type and at least one unmodelled one', () => {
    expect(SAMPLE_EVENT_TYPES.filter((type) => !isModelledEventType(type))).toContain('email.created');
  });
});
