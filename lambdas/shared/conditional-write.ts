import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type WriteOutcome =
  | { readonly written: true; readonly attributes?: Record<string, unknown> }
  /** `old` is the item that failed the condition (ReturnValuesOnConditionCheckFailure ALL_OLD), absent if there was none. */
  | { readonly written: false; readonly old?: Record<string, unknown> };

/** Runs one conditional write and turns a failed condition into a value; every other error propagates. */
export async function conditionalWrite(
  write: () => Promise<{ readonly Attributes?: Record<string, unknown> }>,
): Promise<WriteOutcome> {
  try {
    const output = await write();
    return { written: true, attributes: output.Attributes };
  } catch (error) {
    if (!isConditionalCheckFailure(error)) throw error;
    // The exception carries the old item in wire format, even through the DocumentClient.
    const item = (error as { Item?: Record<string, AttributeValue> }).Item;
    return { written: false, old: item === undefined ? undefined : unmarshall(item) };
  }
}

function isConditionalCheckFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
