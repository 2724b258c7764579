import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { FUNCTION_OBSERVABILITY_DEFAULTS } from '../../lib/constructs/node-function';
import { captureOutput } from '../../test/support/capture-emf';
import { coldStart, thrownBy } from '../../test/support/cold-start';
import { deliveredByLambda } from '../../test/support/lambda-log-delivery';
import { streamEvent, streamRecord } from '../../test/support/stream-records';
import { keys } from '../shared/table-schema';
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

describe("at the stack's default log level, after Lambda's filter", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('a batch whose events are all published writes its metrics and no line per event', async () => {
    const level = FUNCTION_OBSERVABILITY_DEFAULTS.logLevel;
    Object.assign(process.env, { EVENT_BUS_NAME: 'clerk-changes', AWS_REGION: 'us-east-1', AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: level });
    let handler: ((event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>) | undefined;
    jest.isolateModules(() => {
      // No EventBridge engine runs locally: the function's own copy of the SDK answers as the bus does.
      const { EventBridgeClient, PutEventsCommand } = require('@aws-sdk/client-eventbridge') as typeof import('@aws-sdk/client-eventbridge');
      mockClient(EventBridgeClient)
        .on(PutEventsCommand)
        .callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, index) => ({ EventId: String(index) })) }));
      handler = (require('./index') as { handler: typeof handler }).handler;
    });
    const records = [1, 2, 3].map((n) => {
      const id = `user_2quiet${n}`;
      return streamRecord({ eventName: 'INSERT', newImage: { ...keys.user(id), type: 'user', id, email: `${id}@example.com`, version: n, lastEventId: `msg_${n}` }, sequenceNumber: String(n) });
    });
    const context = { functionName: 'publisher', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

    const output = await captureOutput(() => handler!(streamEvent(records), context));

    expect(output.result).toEqual({ batchItemFailures: [] });
    const lines = output.text.split('\n').filter((line) => line.trim() !== '' && deliveredByLambda(line, level));
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.filter((line) => !('_aws' in line))).toEqual([]);
    expect(parsed.filter((line) => '_aws' in line)).toEqual([expect.objectContaining({ service: 'clerk-webhook-change-events', ChangeEventsPublished: 3 })]);
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
