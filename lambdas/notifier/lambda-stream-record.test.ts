import type { _Record as SdkStreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { toLambdaRecord } from './lambda-stream-record';

const ORIGIN = { streamArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/clerk-sync/stream/2026-01-01T00:00:00.000', awsRegion: 'eu-west-1' };

describe('toLambdaRecord', () => {
  it('gives a Streams API record the shape Lambda delivers: epoch seconds, base64 binaries, the origin on every record', () => {
    const record: SdkStreamRecord = {
      eventID: 'e1',
      eventName: 'MODIFY',
      dynamodb: {
        ApproximateCreationDateTime: new Date('2026-03-01T10:00:59.900Z'),
        Keys: { pk: { S: 'item' }, sk: { S: 'PROFILE' } },
        OldImage: { pk: { S: 'item' }, sk: { S: 'PROFILE' }, n: { N: '1' } },
        NewImage: {
          pk: { S: 'item' },
          sk: { S: 'PROFILE' },
          b: { B: new Uint8Array([1, 2, 255]) },
          bs: { BS: [new Uint8Array([0]), new Uint8Array([255])] },
          nested: { M: { list: { L: [{ S: 'a' }, { B: new Uint8Array([7]) }, { NULL: true }, { BOOL: false }] } } },
          ss: { SS: ['x', 'y'] },
          ns: { NS: ['1', '2'] },
        },
        SequenceNumber: '100',
        SizeBytes: 42,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };

    expect(toLambdaRecord(record, ORIGIN)).toEqual({
      eventID: 'e1',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      eventSourceARN: ORIGIN.streamArn,
      dynamodb: {
        ApproximateCreationDateTime: Date.parse('2026-03-01T10:00:59Z') / 1000,
        Keys: { pk: { S: 'item' }, sk: { S: 'PROFILE' } },
        OldImage: { pk: { S: 'item' }, sk: { S: 'PROFILE' }, n: { N: '1' } },
        NewImage: {
          pk: { S: 'item' },
          sk: { S: 'PROFILE' },
          b: { B: Buffer.from([1, 2, 255]).toString('base64') },
          bs: { BS: ['AA==', '/w=='] },
          nested: { M: { list: { L: [{ S: 'a' }, { B: 'Bw==' }, { NULL: true }, { BOOL: false }] } } },
          ss: { SS: ['x', 'y'] },
          ns: { NS: ['1', '2'] },
        },
        SequenceNumber: '100',
        SizeBytes: 42,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
  });

  it('keeps the identity of a TTL deletion and leaves out images the record does not have', () => {
    const lambdaRecord = toLambdaRecord(
      {
        eventID: 'e2',
        eventName: 'REMOVE',
        eventVersion: '1.1',
        dynamodb: { Keys: { pk: { S: 'item' }, sk: { S: 'PROFILE' } }, SequenceNumber: '101', StreamViewType: 'NEW_AND_OLD_IMAGES' },
        userIdentity: { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' },
      },
      ORIGIN,
    );
    expect(lambdaRecord.userIdentity).toEqual({ type: 'Service', principalId: 'dynamodb.amazonaws.com' });
    expect(lambdaRecord.dynamodb).not.toHaveProperty('NewImage');
    expect(lambdaRecord.dynamodb).not.toHaveProperty('OldImage');
    expect(lambdaRecord.dynamodb).not.toHaveProperty('ApproximateCreationDateTime');
  });

  it('refuses an attribute value of a kind it does not know rather than dropping it', () => {
    const record: SdkStreamRecord = { dynamodb: { NewImage: { odd: { $unknown: ['X', 1] } as never } } };
    expect(() => toLambdaRecord(record, ORIGIN)).toThrow('unsupported attribute value: $unknown');
  });
});
