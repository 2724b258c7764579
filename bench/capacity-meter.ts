import type { AttributeValue, ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Counts what a DynamoDB client costs: requests by operation, and the capacity units DynamoDB
 * reports for each (ReturnConsumedCapacity INDEXES, so the table and its index are told apart).
 * Measurement only: middleware on the client adds the parameter and reads the answer; the code
 * under measurement is unchanged. A document client built with `DynamoDBDocumentClient.from`
 * shares the middleware of the client it wraps.
 */
export interface CapacityTally {
  /** Requests by operation name (PutItem, UpdateItem, GetItem, Query, DeleteItem...). */
  readonly requests: Record<string, number>;
  writeUnits: number;
  readUnits: number;
  /** The part of writeUnits spent on the global secondary index. */
  indexWriteUnits: number;
  /** Writes whose condition failed; DynamoDB still charges them. */
  failedConditions: number;
  /** Failed conditional writes whose charge DynamoDB did not report, counted by the documented rule. */
  estimatedUnits: number;
  /** Units of each write request, in the order they were sent. */
  readonly writeLog: number[];
}

export function emptyTally(): CapacityTally {
  return { requests: {}, writeUnits: 0, readUnits: 0, indexWriteUnits: 0, failedConditions: 0, estimatedUnits: 0, writeLog: [] };
}

export function totalRequests(tally: CapacityTally): number {
  return Object.values(tally.requests).reduce((sum, count) => sum + count, 0);
}

export function addTallies(into: CapacityTally, from: CapacityTally): void {
  for (const [operation, count] of Object.entries(from.requests)) into.requests[operation] = (into.requests[operation] ?? 0) + count;
  into.writeUnits += from.writeUnits;
  into.readUnits += from.readUnits;
  into.indexWriteUnits += from.indexWriteUnits;
  into.failedConditions += from.failedConditions;
  into.estimatedUnits += from.estimatedUnits;
  into.writeLog.push(...from.writeLog);
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const MIDDLEWARE_NAME = 'benchCapacityMeter';

/** Installs the meter on `client`; every later request adds to what `tally()` returns. */
export function meterCapacity(client: DynamoDBClient): { tally: () => CapacityTally; reset: () => void } {
  let current = emptyTally();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'INDEXES';
      current.requests[operation] = (current.requests[operation] ?? 0) + 1;
      const isWrite = WRITES.has(operation);
      try {
        const result = await next(args);
        record(current, (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity, isWrite);
        return result;
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
          current.failedConditions += 1;
          const reported = (error as { ConsumedCapacity?: ConsumedCapacity }).ConsumedCapacity;
          if (reported !== undefined) {
            record(current, reported, true);
          } else {
            // DynamoDB (and DynamoDB Local) report no capacity with the exception, but AWS charges a
            // failed condition "the size of the existing item, a minimum of 1" write unit. The item
            // comes back when the request asked for ALL_OLD; otherwise the minimum is counted.
            const item = (error as { Item?: Record<string, AttributeValue> }).Item;
            const units = item === undefined ? 1 : Math.max(1, Math.ceil(itemBytes(item) / 1024));
            current.writeUnits += units;
            current.estimatedUnits += units;
            current.writeLog.push(units);
          }
        }
        throw error;
      }
    },
    { step: 'initialize', name: MIDDLEWARE_NAME, override: true },
  );
  return {
    tally: () => current,
    reset: () => {
      current = emptyTally();
    },
  };
}

function record(tally: CapacityTally, consumed: ConsumedCapacity | ConsumedCapacity[] | undefined, isWrite: boolean): void {
  let written = 0;
  for (const entry of consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed]) {
    const units = entry.CapacityUnits ?? 0;
    if (isWrite) {
      written += units;
      tally.writeUnits += units;
      for (const index of Object.values(entry.GlobalSecondaryIndexes ?? {})) tally.indexWriteUnits += index.CapacityUnits ?? 0;
    } else {
      tally.readUnits += units;
    }
  }
  if (isWrite) tally.writeLog.push(written);
}

/** DynamoDB's size of an item: attribute names plus values, by the documented rules. */
export function itemBytes(item: Record<string, AttributeValue>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, entry) => sum + Buffer.byteLength(entry), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, entry) => sum + numberBytes(entry), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, entry) => sum + entry.length, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, entry) => sum + 1 + valueBytes(entry), 0);
  if (value.M !== undefined) return 3 + Object.values(value.M).length + itemBytes(value.M);
  return 0;
}

function numberBytes(number: string): number {
  const digits = number.replace(/[^0-9]/g, '').replace(/^0+/, '').length;
  return Math.ceil(digits / 2) + 1;
}
