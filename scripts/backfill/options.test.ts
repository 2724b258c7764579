import path from 'node:path';
import { BackfillUsageError, readBackfillOptions } from './options';

describe('backfill options', () => {
  const key = { CLERK_SECRET_KEY: 'sk_test_abc' };
  const usageError = (argv: string[], env: NodeJS.ProcessEnv = key): string => {
    try {
      readBackfillOptions(argv, env);
    } catch (error) {
      expect(error).toBeInstanceOf(BackfillUsageError);
      return (error as Error).message;
    }
    throw new Error('expected a usage error');
  };

  it('finds the table of npm start by the names and ports it uses', () => {
    expect(readBackfillOptions(['--local'], key)).toEqual({
      secretKey: 'sk_test_abc',
      apiUrl: 'https://api.clerk.com',
      tableName: 'clerk-sync',
      endpoint: 'http://127.0.0.1:8000',
      region: 'us-east-1',
      local: true,
      prune: false,
      dryRun: false,
      pageSize: 500,
      checkpointPath: path.resolve('.local', 'backfill-clerk-sync.json'),
      restart: false,
    });
    expect(
      readBackfillOptions(['--local', '--prune', '--rate', '2.5', '--page-size=50', '--restart', '--checkpoint', '/tmp/c.json', '--max-prune-share', '1'], {
        ...key,
        CLERK_API_URL: 'http://127.0.0.1:3999',
        DYNAMODB_PORT: '8101',
        TABLE_NAME: 'other',
      }),
    ).toMatchObject({
      apiUrl: 'http://127.0.0.1:3999',
      tableName: 'other',
      endpoint: 'http://127.0.0.1:8101',
      prune: true,
      requestsPerSecond: 2.5,
      pageSize: 50,
      restart: true,
      checkpointPath: '/tmp/c.json',
      maxPruneShare: 1,
    });
  });

  it('takes a deployed table by name, with the region from the flag or the environment', () => {
    expect(readBackfillOptions(['--table', 'Prod-Table', '--dry-run'], { ...key, AWS_REGION: 'eu-west-1' })).toMatchObject({
      tableName: 'Prod-Table',
      region: 'eu-west-1',
      local: false,
      dryRun: true,
      checkpointPath: path.resolve('.local', 'backfill-Prod-Table.json'),
    });
    expect(readBackfillOptions(['--table', 'T12', '--region', 'us-west-2'], key)).not.toHaveProperty('endpoint');
  });

  it('says what is missing or wrong, never echoing the key', () => {
    expect(usageError(['--local'], {})).toMatch(/CLERK_SECRET_KEY is not set/);
    expect(usageError(['--local'], { CLERK_SECRET_KEY: 'pk_test_secretvalue' })).toMatch(/does not look like a Clerk secret key/);
    expect(usageError(['--local'], { CLERK_SECRET_KEY: 'pk_test_secretvalue' })).not.toContain('secretvalue');
    expect(usageError([])).toMatch(/which table\? --table NAME/);
    expect(usageError(['--local', '--rate', '0'])).toMatch(/--rate must be a positive number/);
    expect(usageError(['--local', '--max-prune-share', '1.5'])).toMatch(/--max-prune-share must be a share above 0 and at most 1/);
    expect(usageError(['--local', '--page-size', '501'])).toMatch(/--page-size must be an integer from 1 to 500/);
    expect(usageError(['--table', 'x'])).toMatch(/--table must be a table name/);
    expect(usageError(['--local'], { ...key, CLERK_API_URL: 'ftp://clerk' })).toMatch(/CLERK_API_URL "ftp:\/\/clerk" is not an http\(s\) URL/);
    expect(usageError(['--local', '--frobnicate'])).toMatch(/unknown option "--frobnicate"/);
  });

  it('answers --help', () => {
    expect(readBackfillOptions(['--help'], {})).toBe('help');
  });
});
