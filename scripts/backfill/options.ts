import path from 'node:path';
import { RECONCILER_DEFAULTS } from '../../lambdas/reconciler/reconciler-config';
import { SWEEP_DEFAULTS } from '../../lambdas/reconciler/run-sweep';
import { blankToUndefined, type Fail, failWith, httpUrl, parseFlags, positiveInteger, switchFlag, tableName, valueFlag } from '../cli/args';
import { regionFromEnv } from '../cli/aws-client-config';
import { LOCAL_REGION, localDynamoDbEndpoint, localTableName } from '../cli/local-pipeline';

export class BackfillUsageError extends Error {}

export const SECRET_KEY_ENV = 'CLERK_SECRET_KEY';
export const API_URL_ENV = 'CLERK_API_URL';

export interface BackfillOptions {
  /** Never printed. */
  readonly secretKey: string;
  readonly apiUrl: string;
  readonly tableName: string;
  readonly endpoint?: string;
  readonly region?: string;
  /** The local engines: fixed dummy credentials instead of the default chain. */
  readonly local: boolean;
  readonly prune: boolean;
  readonly dryRun: boolean;
  /** Requests per second; absent: the default for the key. */
  readonly requestsPerSecond?: number;
  readonly pageSize: number;
  /** Absent: SWEEP_DEFAULTS.maxPruneShare. */
  readonly maxPruneShare?: number;
  /** Absolute. */
  readonly checkpointPath: string;
  readonly restart: boolean;
}

function rate(raw: string, flag: string, fail: Fail): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) fail(`${flag} must be a positive number of requests per second, got "${raw}"`);
  return value;
}

function share(raw: string, flag: string, fail: Fail): number {
  const value = Number(raw);
  if (!(value > 0 && value <= 1)) fail(`${flag} must be a share above 0 and at most 1, got "${raw}"`);
  return value;
}

const BACKFILL_FLAGS = {
  local: switchFlag('--local'),
  tableName: valueFlag('--table', tableName),
  region: valueFlag('--region'),
  endpoint: valueFlag('--endpoint-url', httpUrl),
  prune: switchFlag('--prune'),
  dryRun: switchFlag('--dry-run'),
  rate: valueFlag('--rate', rate),
  pageSize: valueFlag('--page-size', positiveInteger(SWEEP_DEFAULTS.pageSize)),
  checkpoint: valueFlag('--checkpoint', (raw) => path.resolve(raw)),
  restart: switchFlag('--restart'),
  maxPruneShare: valueFlag('--max-prune-share', share),
};

export function readBackfillOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BackfillOptions | 'help' {
  const flags = parseFlags(argv, BACKFILL_FLAGS, { usageError: BackfillUsageError, strictValues: true });
  if (flags === 'help') return 'help';
  const fail = failWith(BackfillUsageError);

  const secretKey = blankToUndefined(env[SECRET_KEY_ENV]);
  if (secretKey === undefined) {
    fail(`${SECRET_KEY_ENV} is not set: the Clerk instance's secret key (sk_live_… or sk_test_…, Clerk dashboard > API keys)`);
  }
  if (!secretKey!.startsWith('sk_')) fail(`${SECRET_KEY_ENV} does not look like a Clerk secret key (sk_live_… or sk_test_…)`);
  const apiUrl = httpUrl(blankToUndefined(env[API_URL_ENV]) ?? RECONCILER_DEFAULTS.clerkApiUrl, API_URL_ENV, fail);

  let table: string;
  let endpoint = flags.endpoint;
  let region = flags.region ?? regionFromEnv(env);
  if (flags.local) {
    // The names and ports npm start uses.
    table = flags.tableName ?? tableName(localTableName(env), 'TABLE_NAME', fail);
    endpoint ??= localDynamoDbEndpoint(env);
    region ??= LOCAL_REGION;
  } else {
    if (flags.tableName === undefined) fail('which table? --table NAME (stack output TableName), or --local for npm start');
    table = flags.tableName!;
  }
  return {
    secretKey: secretKey!,
    apiUrl,
    tableName: table,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    local: flags.local,
    prune: flags.prune,
    dryRun: flags.dryRun,
    ...(flags.rate === undefined ? {} : { requestsPerSecond: flags.rate }),
    pageSize: flags.pageSize ?? SWEEP_DEFAULTS.pageSize,
    ...(flags.maxPruneShare === undefined ? {} : { maxPruneShare: flags.maxPruneShare }),
    checkpointPath: flags.checkpoint ?? path.resolve('.local', `backfill-${table}.json`),
    restart: flags.restart,
  };
}
