export const BACKFILL_USAGE = `Usage: CLERK_SECRET_KEY=sk_… npm run backfill -- --local [options]
       CLERK_SECRET_KEY=sk_… npm run backfill -- --table NAME [--region REGION] [options]

Reads every user, organization and organization membership from Clerk's Backend API and applies
each to the sync table as a snapshot, through the processor's own rules: a snapshot is written
only when it is newer than what the table holds (by updated_at), never over a deletion, and a
webhook of the same or a later version wins. Running it again writes nothing where nothing
changed. Sessions are not read (Clerk cannot list them instance-wide); webhooks bring them.

  --local             the table of \`npm start\`: DynamoDB Local on $DYNAMODB_PORT (8000),
                      table $TABLE_NAME (clerk-sync)
  --table NAME        the table of a deployed stack (stack output TableName)
  --region REGION     AWS region (default: AWS_REGION, else AWS_DEFAULT_REGION)
  --endpoint-url URL  DynamoDB endpoint, when not AWS's
  --prune             then delete what the table holds live and Clerk no longer has (a missed
                      *.deleted), with its cascades, each confirmed by a direct lookup first;
                      nothing created after the sweep started is pruned; a page where more
                      than half of the live entities checked (and at least 20) would go stops
                      the run instead (a key of another instance looks like that)
  --max-prune-share S share of a page that may be pruned, above 0 and at most 1 (default 0.5)
  --dry-run           count what would be created, updated and pruned; write nothing
  --rate N            requests per second to Clerk (default: 80% of the instance's limit:
                      80 for an sk_live_ key, 8 for an sk_test_ key)
  --page-size N       entities per list request, 1 to 500 (default 500)
  --checkpoint FILE   where progress is saved after every page (default
                      .local/backfill-<table>.json); an interrupted run resumes from it
  --restart           discard a saved checkpoint and start over
  -h, --help          show this help

Environment:
  CLERK_SECRET_KEY    the instance's secret key (Clerk dashboard, API keys); required
  CLERK_API_URL       Clerk's Backend API (default https://api.clerk.com)

AWS credentials come from the default chain; the caller needs dynamodb:DescribeTable,
BatchGetItem, GetItem, PutItem, UpdateItem, DeleteItem, BatchWriteItem and Query on the table,
and Scan with --prune.

Exits 0 when the sweep completed and nothing failed, 1 when something failed (entities that
failed are tried again by the next run; a run stopped by an error resumes from its checkpoint),
2 on a usage error, 130 when interrupted (Ctrl-C; the checkpoint
is saved after the page in hand).
`;
