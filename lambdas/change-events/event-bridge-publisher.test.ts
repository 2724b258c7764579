import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import type { ChangeEvent } from './change-event';
import { createEventBridgePublisher } from './event-bridge-publisher';

const event = (id: string, time?: string): ChangeEvent => ({
  detailType: 'user.created',
  detail: { entity: 'user', change: 'created', id, version: 1, changeId: `c-${id}`, item: { type: 'user', id } },
  ...(time === undefined ? {} : { time }),
});

describe('EventBridge publisher', () => {
  const eventBridge = mockClient(EventBridgeClient);
  afterEach(() => eventBridge.reset());
  afterAll(() => eventBridge.restore());
  const publish = createEventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'clerk-changes');

  it('puts one entry per event on the bus: source, detail-type, the detail as JSON, the commit time', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }, { EventId: '2' }] });
    await expect(publish([event('user_2a', '2024-05-29T16:28:20.000Z'), event('user_2b')])).resolves.toEqual({});
    expect(eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input).toEqual({
      Entries: [
        {
          EventBusName: 'clerk-changes',
          Source: 'clerk-webhook-sync',
          DetailType: 'user.created',
          Detail: JSON.stringify(event('user_2a').detail),
          Time: new Date('2024-05-29T16:28:20.000Z'),
        },
        { EventBusName: 'clerk-changes', Source: 'clerk-webhook-sync', DetailType: 'user.created', Detail: JSON.stringify(event('user_2b').detail) },
      ],
    });
  });

  it('names the first entry the bus refused (fault injection: a partial failure)', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 2,
      Entries: [{ EventId: '1' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'x' }, { ErrorCode: 'ThrottlingException' }],
    });
    await expect(publish([event('a'), event('b'), event('c')])).resolves.toEqual({ failedFrom: 1, reason: 'InternalFailure' });
  });

  it('lets a failed call throw: the handler fails the batch from that put', async () => {
    eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(publish([event('a')])).rejects.toThrow('denied');
  });
});
