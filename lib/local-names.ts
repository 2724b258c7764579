/**
 * The names `npm start` gives its local resources. The local pipeline creates them and the
 * scripts' `--local` finds them by the same functions, so the two cannot drift apart.
 */

export const LOCAL_REGION = 'us-east-1';
/** The local engines accept any credentials; fixed ones keep the default chain (and AWS) out of it. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The event queue; its DLQ is `<name>-dlq` (local/create-resources.ts). */
export function localEventQueueName(tableName: string): string {
  return `${tableName.replace(/[^A-Za-z0-9_-]/g, '-')}-events`;
}

/** Where the local stream source sends the batches the notifier gave up on. */
export function localNotifierFailureQueueName(eventQueueName: string): string {
  return `${eventQueueName}-notifier-failures`;
}

export function localLedgerTableName(tableName: string): string {
  return `${tableName}-mail-ledger`;
}
