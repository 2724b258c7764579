/**
 * What `npm start` calls its local resources and where it listens by default. The local
 * pipeline (local/) creates them and the scripts' `--local` (scripts/) finds them through this
 * one module, so the two cannot drift apart, and scripts never import the emulator glue.
 */

export const LOCAL_REGION = 'us-east-1';
/** The local engines accept any credentials; fixed ones keep the default chain (and AWS) out of it. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export const LOCAL_DEFAULTS = {
  port: 3000,
  dynamoDbPort: 8000,
  sqsPort: 9324,
  tableName: 'clerk-sync',
  /** The Lambda JSON logs stay quiet locally so the event lines remain readable. */
  logLevel: 'WARN',
  /** Relative to the working directory. */
  mailboxDir: '.local/mailbox',
} as const;

/** `npm start` signs with it (or generates one) and `npm run send` signs with its first entry. */
export const SIGNING_SECRET_ENV = 'CLERK_WEBHOOK_SIGNING_SECRET';
/** Clerk instance ids whose events `npm start` queues (the `allowedInstanceIds` of the stack); unset: any. */
export const INSTANCE_IDS_ENV = 'CLERK_INSTANCE_IDS';
/** Where `npm start` writes mails and `npm run replay-mails -- --local` writes replayed ones. */
export const MAILBOX_DIR_ENV = 'MAILBOX_DIR';

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
