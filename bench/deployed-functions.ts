import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { deflateRawSync } from 'node:zlib';
import { CHANGE_PUBLISHER_ENV } from '../lambdas/change-events/change-events-config';
import { PROCESSOR_ENV } from '../lambdas/processor/processor-config';
import { VERIFIER_ENV } from '../lambdas/verifier/verifier-config';
import { type ApplicationLogLevel, deliveredByLambda } from '../test/support/lambda-log-delivery';

/**
 * The functions exactly as `cdk deploy` would ship them: `cdk synth` bundles them into cdk.out,
 * and the bench loads those bundles in fresh node processes (lambda-runner.cjs plays the runtime).
 */

export type FunctionRole = 'verifier' | 'processor' | 'changeEvents';

export interface DeployedFunction {
  readonly role: FunctionRole;
  readonly logicalId: string;
  readonly assetDir: string;
  readonly indexPath: string;
  readonly indexBytes: number;
  readonly sourceMapBytes: number;
  /** Size of the deployment zip (index.js and its map, deflated), as uploaded to S3. */
  readonly zipBytes: number;
  readonly memorySizeMb: number;
  /** The function's timeout (Lambda's default, 3 s, when the template sets none). */
  readonly timeoutSeconds: number;
  /** Environment variables with literal values in the template (POWERTOOLS_SERVICE_NAME...), and pseudo parameters resolved. */
  readonly literalEnvironment: Readonly<Record<string, string>>;
  /** X-Ray active tracing (Lambda then samples and records traces). */
  readonly activeTracing: boolean;
  /** The function's logging config: Lambda filters its output at `applicationLogLevel` (JSON format). */
  readonly logging: {
    readonly format: 'JSON' | 'Text';
    readonly applicationLogLevel?: ApplicationLogLevel;
    readonly systemLogLevel?: 'DEBUG' | 'INFO' | 'WARN';
  };
}

/** What the synthesised stack deploys that the bench needs besides the functions. */
export interface DeployedStack {
  readonly functions: Record<'verifier' | 'processor', DeployedFunction>;
  /** The change events publisher, when the stack was synthesized with change events on. */
  readonly changeEventsPublisher: DeployedFunction | undefined;
  /** The HTTP API stage's access log format (one line per request), if access logging is on. */
  readonly accessLogFormat: string | undefined;
  /** The class of the access log group, which sets its ingestion price. */
  readonly accessLogClass: 'STANDARD' | 'INFREQUENT_ACCESS';
}

export const PROJECT_ROOT = path.resolve(__dirname, '..');
/** The stack at its defaults, as `cdk deploy` with no options deploys it: what the bench prices. */
export const CDK_OUT = path.join(PROJECT_ROOT, 'cdk.out');
/** The stack with change events on, for their section only (the processor then reads parents first). */
export const CDK_OUT_CHANGE_EVENTS = path.join(CDK_OUT, 'with-change-events');
const RUNNER = path.join(__dirname, 'lambda-runner.cjs');

/**
 * `npx cdk synth -q` into `outDir`, with `context` (`-c key=value`): offline, bundles the functions
 * with esbuild. Returns how long it took.
 */
export async function synthesize(outDir = CDK_OUT, context: Readonly<Record<string, string>> = {}): Promise<number> {
  const started = performance.now();
  const contextArgs = Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npx', ['cdk', 'synth', '-q', '-o', outDir, ...contextArgs], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = `${stderr}${chunk}`.slice(-4000);
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`cdk synth failed (exit ${code}):\n${stderr}`))));
  });
  return performance.now() - started;
}

interface TemplateResource {
  readonly Type: string;
  readonly Properties: {
    MemorySize?: number;
    Timeout?: number;
    Environment?: { Variables?: Record<string, unknown> };
    TracingConfig?: { Mode?: string };
    LoggingConfig?: { LogFormat?: string; ApplicationLogLevel?: string; SystemLogLevel?: string };
    AccessLogSettings?: { Format?: unknown; DestinationArn?: { 'Fn::GetAtt'?: [string, string] } };
    LogGroupClass?: string;
  };
  readonly Metadata?: Record<string, unknown>;
}

/** The verifier and processor of the synthesised stack (told apart by the variables they need), and its API stage. */
export function readDeployedStack(outDir = CDK_OUT): DeployedStack {
  const manifest = JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const stack = Object.values(manifest.artifacts).find((artifact) => artifact.type === 'aws:cloudformation:stack');
  if (!stack?.properties?.templateFile) throw new Error(`${path.relative(PROJECT_ROOT, outDir)} holds no stack: run \`npx cdk synth -q\``);
  const template = JSON.parse(readFileSync(path.join(outDir, stack.properties.templateFile), 'utf8')) as {
    Resources: Record<string, TemplateResource>;
  };
  const found: Partial<Record<FunctionRole, DeployedFunction>> = {};
  let accessLogFormat: string | undefined;
  let accessLogClass: DeployedStack['accessLogClass'] = 'STANDARD';
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const format = resource.Properties.AccessLogSettings?.Format;
    if (resource.Type === 'AWS::ApiGatewayV2::Stage' && typeof format === 'string') {
      accessLogFormat = format;
      const logGroupId = resource.Properties.AccessLogSettings?.DestinationArn?.['Fn::GetAtt']?.[0];
      const logGroupClass = logGroupId === undefined ? undefined : template.Resources[logGroupId]?.Properties.LogGroupClass;
      if (logGroupClass === 'INFREQUENT_ACCESS') accessLogClass = logGroupClass;
    }
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const variables = resource.Properties.Environment?.Variables ?? {};
    const role: FunctionRole | undefined =
      // The processor knows the queue too (a long cascade continues in a new message there).
      VERIFIER_ENV.signingSecretArn in variables
        ? 'verifier'
        : PROCESSOR_ENV.deadLetterQueueUrl in variables
          ? 'processor'
          : CHANGE_PUBLISHER_ENV.eventBusName in variables
            ? 'changeEvents'
            : undefined;
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (role === undefined || typeof assetPath !== 'string') continue;
    const assetDir = path.join(outDir, assetPath);
    const indexPath = path.join(assetDir, 'index.js');
    const files = readdirSync(assetDir);
    found[role] = {
      role,
      logicalId,
      assetDir,
      indexPath,
      indexBytes: statSync(indexPath).size,
      sourceMapBytes: files.includes('index.js.map') ? statSync(path.join(assetDir, 'index.js.map')).size : 0,
      zipBytes: files.reduce((sum, file) => sum + deflateRawSync(readFileSync(path.join(assetDir, file)), { level: 6 }).length + 100, 22),
      memorySizeMb: resource.Properties.MemorySize ?? 128,
      timeoutSeconds: resource.Properties.Timeout ?? 3,
      literalEnvironment: literalEnvironmentOf(variables),
      activeTracing: resource.Properties.TracingConfig?.Mode === 'Active',
      logging: loggingOf(resource.Properties.LoggingConfig),
    };
  }
  if (!found.verifier || !found.processor) throw new Error('the synthesised stack lacks the verifier or the processor function');
  return { functions: { verifier: found.verifier, processor: found.processor }, changeEventsPublisher: found.changeEvents, accessLogFormat, accessLogClass };
}

/** Pseudo parameters a variable may hold, at their value in the commercial partition (the verifier's PARTITION_URL_SUFFIX). */
const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = { 'AWS::URLSuffix': 'amazonaws.com' };

function literalEnvironmentOf(variables: Record<string, unknown>): Record<string, string> {
  const literal: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    const ref = (value as { Ref?: unknown } | null)?.Ref;
    if (typeof value === 'string') literal[name] = value;
    else if (typeof ref === 'string' && PSEUDO_PARAMETERS[ref] !== undefined) literal[name] = PSEUDO_PARAMETERS[ref];
  }
  return literal;
}

function loggingOf(config: TemplateResource['Properties']['LoggingConfig']): DeployedFunction['logging'] {
  if (config?.LogFormat !== 'JSON') return { format: 'Text' };
  return {
    format: 'JSON',
    // Lambda's defaults under the JSON format.
    applicationLogLevel: (config.ApplicationLogLevel ?? 'INFO') as ApplicationLogLevel,
    systemLogLevel: (config.SystemLogLevel ?? 'INFO') as 'DEBUG' | 'INFO' | 'WARN',
  };
}

export interface InvocationResult {
  readonly index: number;
  readonly ms: number;
  /** CPU time of the whole process during the invocation. */
  readonly cpuMs: number;
  readonly loadMs?: number;
  /** First invocation only: from the process's start to the handler loaded (Lambda's INIT), wall and CPU. */
  readonly initMs?: number;
  readonly initCpuMs?: number;
  readonly statusCode?: number;
  readonly failures?: number;
  readonly error?: string;
}

export interface BundleRun {
  /** From spawning the process to its first answer: the cold start. */
  readonly firstAnswerMs: number;
  readonly invocations: readonly InvocationResult[];
  /**
   * What CloudWatch Logs would ingest of what the function wrote to stdout and stderr: every line,
   * or under the JSON log format with a level, the lines Lambda delivers (its documented rule).
   */
  readonly logBytes: number;
  readonly logLines: number;
  /** The same bytes by kind of line: Powertools log lines by level, CloudWatch metrics (EMF), anything else. */
  readonly logBytesByKind: Record<string, number>;
  /** Bytes the function wrote that Lambda's level filter drops. */
  readonly droppedLogBytes: number;
  readonly exitCode: number | null;
}

/** A name like the one CloudFormation gives the function (it appears in every log line). */
function physicalName(fn: DeployedFunction): string {
  return `ClerkWebhookSync-${fn.logicalId}-AbCdEfGhIjKl`;
}

/** Environment common to every Lambda function, plus local endpoints and fake credentials. */
export function lambdaEnvironment(fn: DeployedFunction, extra: Record<string, string>): NodeJS.ProcessEnv {
  const { logging } = fn;
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TZ: 'UTC',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_LAMBDA_FUNCTION_NAME: physicalName(fn),
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySizeMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    // What Lambda sets from the logging config (Powertools Logger follows AWS_LAMBDA_LOG_LEVEL).
    ...(logging.format === 'JSON' ? { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: logging.applicationLogLevel } : {}),
    ...fn.literalEnvironment,
    ...extra,
  };
}

/** Loads the bundle in a fresh node process and invokes it with each event of `eventsPath`; rejects on any answer `expected` refuses. */
export function runBundle(
  fn: DeployedFunction,
  eventsPath: string,
  env: NodeJS.ProcessEnv,
  expected: (invocation: InvocationResult) => boolean,
  timeoutMs = 60_000,
): Promise<BundleRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [RUNNER, fn.indexPath, eventsPath, physicalName(fn), String(fn.timeoutSeconds)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let firstAnswerMs: number | undefined;
    let logBytes = 0;
    let logLines = 0;
    let droppedLogBytes = 0;
    const level = fn.logging.format === 'JSON' ? (env.AWS_LAMBDA_LOG_LEVEL as ApplicationLogLevel | undefined) : undefined;
    let results = '';
    let lastLogs = '';
    const logBytesByKind: Record<string, number> = {};
    const partial = { stdout: '', stderr: '' };
    const countLogs = (stream: 'stdout' | 'stderr') => (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      lastLogs = `${lastLogs}${text}`.slice(-2000);
      const lines = `${partial[stream]}${text}`.split('\n');
      partial[stream] = lines.pop()!;
      for (const line of lines) {
        const bytes = Buffer.byteLength(line) + 1;
        if (level !== undefined && !deliveredByLambda(line, level)) {
          droppedLogBytes += bytes;
          continue;
        }
        logBytes += bytes;
        logLines += 1;
        const kind = stream === 'stderr' ? 'stderr' : kindOf(line);
        logBytesByKind[kind] = (logBytesByKind[kind] ?? 0) + bytes;
      }
    };
    child.stdout!.on('data', countLogs('stdout'));
    child.stderr!.on('data', countLogs('stderr'));
    (child.stdio[3] as Readable).on('data', (chunk: Buffer) => {
      if (firstAnswerMs === undefined && chunk.includes(0x0a)) firstAnswerMs = performance.now() - started;
      results += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (exitCode) => {
      clearTimeout(timer);
      const invocations = results
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as InvocationResult);
      const failed = invocations.find((invocation) => invocation.error !== undefined);
      if (failed || exitCode !== 0 || firstAnswerMs === undefined) {
        reject(new Error(`${fn.role} bundle run failed (exit ${exitCode}): ${failed?.error ?? 'no answer'}`));
        return;
      }
      const unexpected = invocations.find((invocation) => !expected(invocation));
      if (unexpected) {
        reject(new Error(`${fn.role} bundle answered ${JSON.stringify(unexpected)}; its last log lines:\n${lastLogs}`));
        return;
      }
      resolve({ firstAnswerMs, invocations, logBytes, logLines, logBytesByKind, droppedLogBytes, exitCode });
    });
  });
}

/** `emf` for CloudWatch metrics in embedded metric format, `info`/`warn`/... for Powertools log lines. */
function kindOf(line: string): string {
  if (line.startsWith('{"_aws"')) return 'emf';
  const level = /^\{"level":"([A-Z]+)"/.exec(line)?.[1];
  return level === undefined ? 'other' : level.toLowerCase();
}
