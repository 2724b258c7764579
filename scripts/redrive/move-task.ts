import { GetQueueAttributesCommand, ListMessageMoveTasksCommand, type ListMessageMoveTasksResultEntry, type SQSClient } from '@aws-sdk/client-sqs';

/** Errors of an endpoint that has no message move tasks (the local emulator answers InvalidAction). */
const MOVE_TASK_UNAVAILABLE = new Set(['InvalidAction', 'UnknownOperationException', 'UnsupportedOperation', 'NotImplemented']);

export function isMoveTaskUnavailable(error: unknown): boolean {
  return error instanceof Error && MOVE_TASK_UNAVAILABLE.has(error.name);
}

export async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`${queueUrl} has no QueueArn`);
  return arn;
}

export async function approximateMessageCount(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

const FINISHED_STATUSES = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

/** Follows the most recent move task of the DLQ (ListMessageMoveTasks) until it ends; returns its last state. */
export async function followMoveTask(
  sqs: SQSClient,
  sourceArn: string,
  options: { readonly pollIntervalMs?: number; readonly onProgress?: (task: ListMessageMoveTasksResultEntry) => void } = {},
): Promise<ListMessageMoveTasksResultEntry> {
  for (;;) {
    const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }));
    const task = Results[0];
    if (task === undefined) throw new Error(`no message move task found for ${sourceArn}`);
    options.onProgress?.(task);
    if (FINISHED_STATUSES.has(task.Status ?? '')) return task;
    await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? 2_000));
  }
}
