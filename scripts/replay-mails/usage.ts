import { NOTIFIER_DEFAULTS } from '../../lambdas/notifier/notifier-config';

export const REPLAY_MAILS_USAGE = `Usage: npm run replay-mails -- --failure-queue-url URL --table NAME --ledger-table NAME --from ADDRESS [options]
       npm run replay-mails -- --local [options]

Replays the stream batches in the mail failure queue through the notifier: reads each batch's
records from the sync table's stream (kept 24 hours) and sends the mails that are still owed.
Mails the ledger records as sent are skipped, so running it again is safe. A message is deleted
once its whole range was replayed; otherwise it stays in the queue.

  --failure-queue-url URL   the mail failure queue (stack output MailFailureQueueUrl)
  --table NAME              the sync table (stack output TableName)
  --ledger-table NAME       the mail ledger (stack output LedgerTableName)
  --from ADDRESS            the sender, as the stack's mailFrom: welcome@acme.example or
                            "Acme <welcome@acme.example>" (a verified SES identity)
  --app-name NAME           shown in the mails, as the stack's appName (default: "${NOTIFIER_DEFAULTS.appName}")
  --admin-roles a,b         roles that get an admin welcome (default: ${NOTIFIER_DEFAULTS.adminRoles.join(',')})
  --welcome-max-age-days N  older users/memberships are a backfill, not mailed (default: ${NOTIFIER_DEFAULTS.welcomeMaxAgeDays})
  --configuration-set NAME  SES configuration set for the sends
  --mailbox-dir DIR         write .eml files to DIR instead of sending through SES
  --dry-run                 list the failure messages (shard, range, batch size, condition,
                            when) and how many records are still readable; send and delete
                            nothing (the messages are visible again right after)
  --discard-expired         delete messages whose records the stream no longer has
  --endpoint-url URL        endpoint for SQS, DynamoDB and DynamoDB Streams (never SES)
  --sqs-endpoint-url URL    endpoint for SQS only, when it differs (DynamoDB Local + an SQS emulator)
  --region REGION           AWS region (default: AWS_REGION, else the queue URL's region)
  --local                   the local pipeline of \`npm start\`: DynamoDB Local on $DYNAMODB_PORT
                            (8000), the SQS emulator on $SQS_PORT (9324), table $TABLE_NAME
                            (clerk-sync), its ledger and failure queue, mails to $MAILBOX_DIR
                            (.local/mailbox); the flags above override
  --verbose                 print the notifier's own JSON log lines (INFO and up)
  -h, --help                show this help

AWS credentials come from the default chain (environment, profile, SSO, instance role); the
caller needs what the notifier function has (the two tables, the stream, ses:SendEmail) plus
dynamodb:DescribeTable on the tables and sqs:ReceiveMessage, DeleteMessage,
ChangeMessageVisibility and GetQueueAttributes on the queue.

Exits 0 when every message was replayed (or there was none), 1 when a message stays (a record
failed again, its records expired, or it is not a stream failure record) or expired records
were discarded, 2 on a usage error.
`;
