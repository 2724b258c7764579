import { coldStart, thrownBy } from '../../test/support/cold-start';
import { changeEventMetricGroups } from './change-event-metrics';

/** index.ts reads its configuration at import: a bad deployment fails at cold start, before any batch. */
describe('change events index', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const importIndex = (): unknown => coldStart(() => require('./index'));

  it('throws a ConfigurationError naming EVENT_BUS_NAME when it is missing', () => {
    delete process.env.EVENT_BUS_NAME;
    const error = thrownBy(importIndex);
    expect(error.code).toBe('CONFIGURATION');
    expect(error.message).toBe('environment variable EVENT_BUS_NAME is required but not set');
  });

  it('exports a handler when configured', () => {
    process.env.EVENT_BUS_NAME = 'clerk-changes';
    expect(importIndex()).toEqual({ handler: expect.any(Function) });
  });
});

describe('change event metrics', () => {
  it('counts published events and failed records per invocation, and nothing when nothing happened', () => {
    expect(changeEventMetricGroups(12, 1)).toEqual([
      {
        dimensions: {},
        values: [
          { name: 'ChangeEventsPublished', unit: 'Count', value: 12 },
          { name: 'ChangeEventRecordsFailed', unit: 'Count', value: 1 },
        ],
      },
    ]);
    expect(changeEventMetricGroups(0, 0)).toEqual([]);
  });
});
