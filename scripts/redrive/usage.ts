export const REDRIVE_USAGE = `Usage: npm run redrive -- [--dry-run] [--local | --queue-url URL --dlq-url URL] [options]

Moves the messages of the dead-letter queue back to the event queue, where the processor
applies them again (idempotently: an event already in the table is skipped as a duplicate).

  --dry-run          list the messages (message id, svixId, eventType, errorReason, receives,
                     age) and move nothing; they are visible again right after
  --queue-url URL    the event queue (default $QUEUE_URL; stack output QueueUrl)
  --dlq-url URL      the dead-letter queue (default $DEAD_LETTER_QUEUE_URL; stack output
                     DeadLetterQueueUrl)
  --local            the local pipeline of \`npm start\`: SQS at http://127.0.0.1:$SQS_PORT
                     (default 9324), queues <TABLE_NAME>-events and <TABLE_NAME>-events-dlq
                     (TABLE_NAME default clerk-sync)
  --endpoint URL     SQS endpoint (default: AWS, region from AWS_REGION or the queue URL)
  --region REGION    AWS region (default: AWS_REGION, else read from the queue URL)
  --role-arn ARN     assume this role first (default $REDRIVE_ROLE_ARN; stack output
                     RedriveRoleArn): only it may send to the event queue, so a move needs it
  --max N            move (or list) at most N messages; moves message by message
  --max-rate N       messages per second for the SQS move task (1-500; AWS decides if unset)
  --copy             move message by message even where SQS move tasks exist
  --no-wait          start the SQS move task and return without following it
  -h, --help         show this help

Exits 0 when everything asked for was moved (or listed), 1 when something failed, 2 on a
usage error.
`;
