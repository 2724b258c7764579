/** Lambda's on-failure record for a DynamoDB stream batch (StreamFailureMessage), the parts a replay needs. */
export interface FailedBatch {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
  readonly streamArn: string;
  /** From the stream ARN. */
  readonly tableName: string;
  readonly region: string;
  /** RetryAttemptsExhausted, RecordAgeExceeded. */
  readonly condition?: string;
  /** When Lambda gave up, ISO-8601. */
  readonly timestamp?: string;
  readonly approximateArrivalOfFirstRecord?: string;
}

export class InvalidFailureMessageError extends Error {}

const SEQUENCE_NUMBER = /^\d{1,64}$/;
const STREAM_ARN = /^arn:aws[a-z-]*:dynamodb:([^:]+):[^:]*:table\/([^/]+)\/stream\/[^/]+$/;

/** Parses an SQS message body as Lambda's on-failure record of a DynamoDB stream batch; throws InvalidFailureMessageError with what is wrong. */
export function parseFailureMessage(body: string | undefined): FailedBatch {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    throw new InvalidFailureMessageError('the body is not JSON');
  }
  if (!isObject(parsed)) throw new InvalidFailureMessageError('the body is not a JSON object');
  const info = parsed.DDBStreamBatchInfo;
  if (!isObject(info)) {
    if (isObject(parsed.KinesisBatchInfo)) throw new InvalidFailureMessageError('a Kinesis batch record, not a DynamoDB stream one');
    if ('requestPayload' in parsed) throw new InvalidFailureMessageError('an asynchronous invocation record, not a DynamoDB stream batch');
    throw new InvalidFailureMessageError('no DDBStreamBatchInfo');
  }
  const text = (name: string, pattern?: RegExp): string => {
    const value = info[name];
    if (typeof value !== 'string' || value === '' || (pattern && !pattern.test(value))) {
      throw new InvalidFailureMessageError(`DDBStreamBatchInfo.${name} is ${value === undefined ? 'missing' : `not valid (${JSON.stringify(value)})`}`);
    }
    return value;
  };
  const shardId = text('shardId');
  const startSequenceNumber = text('startSequenceNumber', SEQUENCE_NUMBER);
  const endSequenceNumber = text('endSequenceNumber', SEQUENCE_NUMBER);
  const streamArn = text('streamArn', STREAM_ARN);
  const batchSize = info.batchSize;
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidFailureMessageError(`DDBStreamBatchInfo.batchSize is ${batchSize === undefined ? 'missing' : `not valid (${JSON.stringify(batchSize)})`}`);
  }
  if (BigInt(startSequenceNumber) > BigInt(endSequenceNumber)) {
    throw new InvalidFailureMessageError(`the range starts after it ends (${startSequenceNumber} > ${endSequenceNumber})`);
  }
  const [, region, tableName] = STREAM_ARN.exec(streamArn)!;
  const requestContext = isObject(parsed.requestContext) ? parsed.requestContext : {};
  const optionalText = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const condition = optionalText(requestContext.condition);
  const timestamp = optionalText(parsed.timestamp);
  const firstArrival = optionalText(info.approximateArrivalOfFirstRecord);
  return {
    shardId,
    startSequenceNumber,
    endSequenceNumber,
    batchSize,
    streamArn,
    tableName: tableName!,
    region: region!,
    ...(condition === undefined ? {} : { condition }),
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(firstArrival === undefined ? {} : { approximateArrivalOfFirstRecord: firstArrival }),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
