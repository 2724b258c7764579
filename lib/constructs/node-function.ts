import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel as LambdaSystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../lambdas/shared/metrics-contract';
import { ownLockFile, PACKAGE_ROOT } from '../package-root';

/** Package root: the handlers' entries are found from here, whatever the cwd (see package-root.ts). */
export const PROJECT_ROOT = PACKAGE_ROOT;

/** Current Node.js LTS on Lambda. esbuild's target follows it, so the bundle uses what the runtime has. */
export const NODE_RUNTIME = Runtime.NODEJS_24_X;

/** Lambda's application log levels (advanced logging controls), most detail first. */
export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
/** Lambda's system log levels: DEBUG and INFO add its per-invocation platform records (start, report). */
export type SystemLogLevel = 'DEBUG' | 'INFO' | 'WARN';

/**
 * What every function of the pipeline logs and traces unless told otherwise: the lean default.
 * Warnings, errors and the metrics (EMF lines, see lambdas/shared/metric-groups.ts) reach
 * CloudWatch; a successful event writes nothing but its metrics, and Lambda's per-invocation
 * START/END/REPORT records stay out. README "Operating" says how to turn each up.
 */
export const FUNCTION_OBSERVABILITY_DEFAULTS = {
  logLevel: 'WARN',
  systemLogLevel: 'WARN',
  tracing: false,
} as const satisfies { logLevel: LogLevel; systemLogLevel: SystemLogLevel; tracing: boolean };

/**
 * Credential providers of the SDK's default chain that Lambda never reaches: Lambda puts the
 * function's credentials in its environment, the chain's first link. The SDK imports the later
 * links (SSO, profile files, credential processes, web identity, container and instance
 * metadata, and the SDK clients they use) lazily with `import()`, so leaving them out of the
 * bundles removes about a third of the processor's (the verifier bundles no SDK at all); if one were ever reached (an
 * `AWS_PROFILE` set on the function), the import would fail loudly instead of falling back.
 */
export const CREDENTIAL_PROVIDERS_LAMBDA_NEVER_REACHES = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/token-providers',
  '@aws-sdk/nested-clients',
  '@smithy/credential-provider-imds',
] as const;

/** Settings every function of the stack can be given from the outside. */
export interface FunctionLoggingProps {
  /**
   * Application log level, applied by Lambda (JSON log format, advanced logging controls): lines
   * below it never reach CloudWatch Logs. Powertools Logger follows it (`AWS_LAMBDA_LOG_LEVEL`).
   * `INFO` adds one line per event (`webhook accepted`, `event processed`).
   * @default FUNCTION_OBSERVABILITY_DEFAULTS.logLevel ('WARN')
   */
  readonly logLevel?: LogLevel;
  /**
   * Level of Lambda's own records. `INFO` adds its start and report records per invocation
   * (duration, billed duration, memory, init duration); `WARN` keeps only its warnings.
   * @default FUNCTION_OBSERVABILITY_DEFAULTS.systemLogLevel ('WARN')
   */
  readonly systemLogLevel?: SystemLogLevel;
  /**
   * X-Ray active tracing. Off by default: it is the largest single cost per event (BENCHMARKS.md).
   * On, CDK grants `xray:PutTraceSegments`/`PutTelemetryRecords` on `*` (X-Ray has no
   * resource-level permissions), which is acknowledged here for cdk-nag.
   * @default FUNCTION_OBSERVABILITY_DEFAULTS.tracing (false)
   */
  readonly tracing?: boolean;
  /**
   * How long the function's log group keeps events.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the log group when the stack is deleted. Logs are operational data with
   * their own retention, so they go with the stack unless asked otherwise.
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * CloudWatch namespace of the function's own metrics (`POWERTOOLS_METRICS_NAMESPACE`); the
   * alarms and the dashboard read them from the same one. `ClerkWebhookSync` gives every pipeline
   * its own (see `pipelineNamespace`).
   * @default METRICS_NAMESPACE
   */
  readonly metricsNamespace?: string;
}

export interface NodeFunctionProps extends FunctionLoggingProps {
  /** Absolute path of the TypeScript handler module (it exports `handler`). */
  readonly entry: string;
  /** Shown in the Lambda console. */
  readonly description: string;
  /**
   * `POWERTOOLS_SERVICE_NAME`: the `service` key of every log line and the `service` dimension of
   * every metric, so it must be the function's value in `SERVICE_NAMES` (metrics-contract.ts):
   * the alarms and the dashboard look metrics up by it.
   */
  readonly serviceName: string;
  /** Function timeout. */
  readonly timeout: Duration;
  /**
   * Memory (and with it CPU) in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Environment variables besides the ones this construct sets
   * (`POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE`).
   * @default - none
   */
  readonly environment?: Record<string, string>;
}

/** The shared settings out of a construct's props, to hand on to its NodeFunction. */
export function functionLogging(props: FunctionLoggingProps): FunctionLoggingProps {
  const { logLevel, systemLogLevel, tracing, logRetention, logRemovalPolicy, metricsNamespace } = props;
  return { logLevel, systemLogLevel, tracing, logRetention, logRemovalPolicy, metricsNamespace };
}

/**
 * The one way this project builds a Lambda function: Node.js LTS on ARM64, bundled locally by
 * esbuild from npm (no Docker), its own log group with retention, and its own role that can write
 * to that log group and nothing else until the caller grants more.
 */
export class NodeFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly logGroup: LogGroup;
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });

    // Our own role instead of the default one: the default attaches AWSLambdaBasicExecutionRole,
    // which allows logs:CreateLogGroup/PutLogEvents on every log group in the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);

    const tracing = props.tracing ?? FUNCTION_OBSERVABILITY_DEFAULTS.tracing;
    const lockFile = ownLockFile();
    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: NODE_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      // JSON records with levels, filtered by Lambda: Powertools' lines carry their level, and
      // the EMF lines carry the function's own level so no setting can filter the metrics out.
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel[props.logLevel ?? FUNCTION_OBSERVABILITY_DEFAULTS.logLevel],
      systemLogLevelV2: LambdaSystemLogLevel[props.systemLogLevel ?? FUNCTION_OBSERVABILITY_DEFAULTS.systemLogLevel],
      // From this repository: its own lock file and root. Installed in an app: CDK finds the app's.
      ...(lockFile === undefined ? {} : { projectRoot: PROJECT_ROOT, depsLockFilePath: lockFile }),
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace ?? METRICS_NAMESPACE,
      },
      bundling: {
        minify: true,
        // The SDK's ES module builds, which esbuild tree-shakes (its CommonJS builds it cannot).
        mainFields: ['module', 'main'],
        externalModules: [...CREDENTIAL_PROVIDERS_LAMBDA_NEVER_REACHES],
        // The map ships, but Node is not told to use it (no --enable-source-maps): parsing it at
        // load costs more than the readable stack traces are worth by default (BENCHMARKS.md,
        // "Cold start"). README "Operating" says how to turn it on for an incident.
        sourceMap: true,
        // Stack traces need file and line, not the original sources: keeps the bundle small.
        sourcesContent: false,
        target: esbuildTarget(NODE_RUNTIME),
        format: OutputFormat.CJS,
        // Ship the SDK version the tests ran against instead of whatever the runtime carries.
        bundleAwsSDK: true,
        forceDockerBundling: false,
      },
    });

    if (tracing) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only xray:PutTraceSegments and xray:PutTelemetryRecords, which Lambda needs to send traces; X-Ray supports no resource-level permissions, so AWS requires "*". The infra tests fail if any other statement of this role has a wildcard.',
      });
    }
  }
}

/** `nodejs24.x` -> `node24`. */
export function esbuildTarget(runtime: Runtime): string {
  const match = /^nodejs(\d+)\.x$/.exec(runtime.name);
  if (!match) throw new Error(`not a Node.js runtime: ${runtime.name}`);
  return `node${match[1]}`;
}
