import { blankToUndefined, failWith, parseFlags, positiveInteger, roleArn, switchFlag, url, valueFlag } from '../cli/args';
import { regionFromEnv, regionOfQueueUrl } from '../cli/aws-client-config';
import { LOCAL_REGION, localEventQueueName, localSqsEndpoint, localTableName } from '../cli/local-pipeline';
import type { QueueRef } from '../cli/sqs-queue';
import { PROCESSOR_ENV } from '../../lambdas/processor/processor-config';
import { VERIFIER_ENV } from '../../lambdas/verifier/verifier-config';

export class RedriveUsageError extends Error {}

export interface RedriveOptions {
  readonly dryRun: boolean;
  readonly queue: QueueRef;
  readonly deadLetterQueue: QueueRef;
  readonly endpoint?: string;
  readonly region?: string;
  /** The local pipeline's emulator: no AWS credentials needed. */
  readonly local: boolean;
  readonly max?: number;
  readonly maxRate?: number;
  readonly copy: boolean;
  readonly wait: boolean;
  /** The stack's RedriveRole (output RedriveRoleArn): assumed with the default credentials, and used for every call. */
  readonly roleArn?: string;
}

/** Where --role-arn may come from besides the command line. */
export const REDRIVE_ROLE_ARN_ENV = 'REDRIVE_ROLE_ARN';

const REDRIVE_FLAGS = {
  dryRun: switchFlag('--dry-run'),
  local: switchFlag('--local'),
  copy: switchFlag('--copy'),
  noWait: switchFlag('--no-wait'),
  queueUrl: valueFlag('--queue-url', url),
  dlqUrl: valueFlag('--dlq-url', url),
  endpoint: valueFlag('--endpoint', url),
  region: valueFlag('--region'),
  max: valueFlag('--max', positiveInteger(Number.MAX_SAFE_INTEGER)),
  maxRate: valueFlag('--max-rate', positiveInteger(500)),
  roleArn: valueFlag('--role-arn', roleArn),
};

export function readRedriveOptions(argv: readonly string[], env: NodeJS.ProcessEnv): RedriveOptions | 'help' {
  const flags = parseFlags(argv, REDRIVE_FLAGS, { usageError: RedriveUsageError });
  if (flags === 'help') return 'help';
  const { dryRun, local, copy, endpoint, max, maxRate } = flags;
  // The variables the verifier and the processor read their queues from.
  const queueUrl = flags.queueUrl ?? blankToUndefined(env[VERIFIER_ENV.queueUrl]);
  const dlqUrl = flags.dlqUrl ?? blankToUndefined(env[PROCESSOR_ENV.deadLetterQueueUrl]);
  const region = flags.region ?? regionFromEnv(env);
  const envRoleArn = blankToUndefined(env[REDRIVE_ROLE_ARN_ENV]);
  const role = flags.roleArn ?? (envRoleArn === undefined ? undefined : roleArn(envRoleArn, REDRIVE_ROLE_ARN_ENV, failWith(RedriveUsageError)));

  const common = { dryRun, max, maxRate, copy, wait: !flags.noWait };
  if (local) {
    if (flags.queueUrl !== undefined || flags.dlqUrl !== undefined) {
      throw new RedriveUsageError('--local finds the local queues by name; leave out --queue-url and --dlq-url');
    }
    if (flags.roleArn !== undefined) throw new RedriveUsageError('--local needs no role; leave out --role-arn');
    const queueName = localEventQueueName(localTableName(env));
    return {
      ...common,
      local: true,
      endpoint: endpoint ?? localSqsEndpoint(env),
      region: region ?? LOCAL_REGION,
      queue: { name: queueName },
      deadLetterQueue: { name: `${queueName}-dlq` },
    };
  }
  if (queueUrl === undefined || dlqUrl === undefined) {
    const missing = [queueUrl === undefined ? '--queue-url (or QUEUE_URL)' : undefined, dlqUrl === undefined ? '--dlq-url (or DEAD_LETTER_QUEUE_URL)' : undefined]
      .filter(Boolean)
      .join(' and ');
    throw new RedriveUsageError(`which queues? missing ${missing}: the stack outputs QueueUrl and DeadLetterQueueUrl; --local for npm start`);
  }
  if (queueUrl === dlqUrl) throw new RedriveUsageError('--queue-url and --dlq-url name the same queue');
  return {
    ...common,
    local: false,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(role === undefined ? {} : { roleArn: role }),
    region: region ?? regionOfQueueUrl(dlqUrl),
    queue: { url: queueUrl },
    deadLetterQueue: { url: dlqUrl },
  };
}
