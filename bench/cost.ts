/**
 * What a million Clerk events cost on AWS, computed from counts the bench measured, at list prices.
 * Fixed monthly costs (the secret, custom metrics, alarms, free tiers) are left out: they do not
 * grow with traffic.
 */

/**
 * AWS list prices, us-east-1, on-demand. Dated because they change: re-check them at the pages
 * named before quoting a figure. Since 2025-08-01 Lambda also bills the INIT phase of on-demand
 * functions (a new execution environment loading the code) as duration, at the same price.
 */
export const PRICES = {
  asOf: '2025-06-01',
  /** https://aws.amazon.com/lambda/pricing/ : the INIT phase is billed duration from this date on. */
  lambdaInitBilledSince: '2025-08-01',
  region: 'us-east-1',
  /** https://aws.amazon.com/api-gateway/pricing/ (HTTP API, first 300 million requests a month; per 512 KB). */
  httpApiPerMillionRequests: 1.0,
  /** https://aws.amazon.com/lambda/pricing/ (requests). */
  lambdaPerMillionRequests: 0.2,
  /** https://aws.amazon.com/lambda/pricing/ (Arm, first 7.5 billion GB-s a month). */
  lambdaArmPerGbSecond: 0.0000133334,
  /** https://aws.amazon.com/sqs/pricing/ (standard queue; each 64 KB chunk of a request is one request). */
  sqsPerMillionRequests: 0.4,
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ (since the November 2024 reduction). */
  dynamoDbPerMillionWriteUnits: 0.625,
  dynamoDbPerMillionReadUnits: 0.125,
  /** https://aws.amazon.com/cloudwatch/pricing/ (Logs, Standard class, ingestion). */
  logsIngestionPerGb: 0.5,
  /** https://aws.amazon.com/cloudwatch/pricing/ (Logs, Infrequent Access class, ingestion). */
  logsInfrequentAccessIngestionPerGb: 0.25,
  /** https://aws.amazon.com/xray/pricing/ (traces recorded). */
  xrayPerMillionTracesRecorded: 5.0,
  /** https://aws.amazon.com/eventbridge/pricing/ (custom events put on a bus; each 64 KB chunk of an entry is one event). */
  eventBridgePerMillionEvents: 1.0,
  /** https://aws.amazon.com/eventbridge/pricing/ (Pipes, requests after filtering; each 64 KB chunk is one request). */
  pipesPerMillionRequests: 0.4,
  /** https://aws.amazon.com/step-functions/pricing/ (Standard workflows, per 1,000 state transitions). */
  stepFunctionsPerThousandTransitions: 0.025,
  /** https://aws.amazon.com/secrets-manager/pricing/ (API calls, per 10,000). */
  secretsManagerPerTenThousandCalls: 0.05,
} as const;

/**
 * X-Ray's default sampling rule, which Lambda's active tracing applies: the first request each
 * second, then 5% of the rest. https://docs.aws.amazon.com/xray/latest/devguide/xray-console-sampling.html
 */
export const XRAY_DEFAULT_SAMPLING = { reservoirPerSecond: 1, fixedRate: 0.05 } as const;

const SECONDS_PER_MONTH = 30 * 24 * 3600;

/** Share of invocations traced at an even `invocationsPerMonth`, under the default rule. */
export function tracedShare(invocationsPerMonth: number): number {
  const perSecond = invocationsPerMonth / SECONDS_PER_MONTH;
  if (perSecond <= XRAY_DEFAULT_SAMPLING.reservoirPerSecond) return 1;
  return (XRAY_DEFAULT_SAMPLING.reservoirPerSecond + XRAY_DEFAULT_SAMPLING.fixedRate * (perSecond - XRAY_DEFAULT_SAMPLING.reservoirPerSecond)) / perSecond;
}

/**
 * One API Gateway access log line in the stage's format, with typical values for its
 * `$context` variables: API Gateway writes it, so the bench cannot capture it locally.
 */
export function accessLogLineBytes(format: string): number {
  const typical: Record<string, string> = {
    '$context.requestId': 'Xyz0aBcDeFgHiJ=',
    '$context.identity.sourceIp': '44.228.126.217',
    '$context.requestTime': '29/May/2024:16:26:40 +0000',
    '$context.routeKey': 'POST /webhooks/clerk',
    '$context.status': '200',
    '$context.responseLength': '17',
    '$context.integrationLatency': '23',
    '$context.integrationErrorMessage': '-',
  };
  const line = format.replace(/\$context\.[A-Za-z.]+/g, (variable) => typical[variable] ?? '-');
  return Buffer.byteLength(line) + 1;
}

/** Lambda gives a function one vCPU's worth of CPU at 1,769 MB, and less in proportion below. */
export const MB_PER_VCPU = 1769;

/**
 * Assumption: the share of invocations that start a new execution environment (a cold start,
 * whose INIT Lambda bills). AWS describes cold starts as typically under 1% of invocations in
 * production; at the volume priced here both functions run on few environments most of the time.
 */
export const COLD_STARTS_PER_INVOCATION = 0.01;

/**
 * Lambda's own records per invocation, with typical values: Lambda writes them, so the bench cannot
 * capture them locally. Text format: START, END and REPORT lines. JSON format: `platform.start`
 * and `platform.report`, at system log level INFO or DEBUG only (WARN leaves them out).
 */
export function platformLogBytesPerInvocation(
  memorySizeMb: number,
  logging: { readonly format: 'JSON' | 'Text'; readonly systemLogLevel?: 'DEBUG' | 'INFO' | 'WARN' },
): number {
  const requestId = '3f3d0a64-7a8e-4b9d-9a4e-0c2b8f6e1d57';
  const time = '2026-11-27T04:39:05.701Z';
  const lines =
    logging.format === 'Text'
      ? [
          `START RequestId: ${requestId} Version: $LATEST`,
          `END RequestId: ${requestId}`,
          `REPORT RequestId: ${requestId}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: ${memorySizeMb} MB\tMax Memory Used: 92 MB\t`,
        ]
      : logging.systemLogLevel === 'WARN'
        ? []
        : [
            JSON.stringify({ time, type: 'platform.start', record: { requestId, version: '$LATEST' } }),
            JSON.stringify({
              time,
              type: 'platform.report',
              record: {
                requestId,
                metrics: { durationMs: 12.34, billedDurationMs: 13, memorySizeMB: memorySizeMb, maxMemoryUsedMB: 92 },
                status: 'success',
              },
            }),
          ];
  return lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
}

export interface MeasuredFunction {
  readonly memorySizeMb: number;
  readonly activeTracing: boolean;
  /** Lambda's own log bytes per invocation at the function's log settings (platformLogBytesPerInvocation). */
  readonly platformLogBytesPerInvocation: number;
  /** INIT of a new environment (process start and loading the bundle), measured here, ms. */
  readonly initMs: number;
  /** CPU time of that INIT, measured here, ms. */
  readonly initCpuMs: number;
  /** Warm invocation, wall time, measured here. */
  readonly wallMs: number;
  /** CPU time of that invocation, measured here. */
  readonly cpuMs: number;
  readonly eventsPerInvocation: number;
  /** Bytes the function itself logs per event, measured (bundle output). */
  readonly logBytesPerEvent: number;
}

export interface CostInputs {
  readonly verifier: MeasuredFunction;
  readonly processor: MeasuredFunction;
  readonly writeUnitsPerEvent: number;
  readonly readUnitsPerEvent: number;
  /** SQS requests per event: the verifier's SendMessage, and a receive and a delete per batch. */
  readonly sqsRequestsPerEvent: number;
  readonly httpRequestsPerEvent: number;
  /** Bytes of API Gateway's access log line per request (0 without access logging). */
  readonly accessLogBytesPerRequest: number;
  /** The access log group's class (its ingestion price). */
  readonly accessLogClass: 'STANDARD' | 'INFREQUENT_ACCESS';
  /** Volume the volume-dependent items (X-Ray sampling) are priced at, events per month. */
  readonly eventsPerMonth: number;
}

export interface CostLine {
  readonly item: string;
  readonly basis: string;
  readonly usdPerMillion: number;
}

/**
 * Billed duration per invocation: CPU time stretched by the CPU share the memory size buys
 * (256 MB gets about a seventh of a vCPU), plus the time spent waiting, as measured; rounded up to
 * the millisecond, as Lambda bills.
 */
export function billedMs(fn: Pick<MeasuredFunction, 'wallMs' | 'cpuMs' | 'memorySizeMb'>): number {
  const waitMs = Math.max(0, fn.wallMs - fn.cpuMs);
  return Math.ceil(fn.cpuMs * Math.max(1, MB_PER_VCPU / fn.memorySizeMb) + waitMs);
}

/**
 * Billed INIT per cold start, by the same rule as an invocation: the CPU time stretched by the
 * function's CPU share (an upper bound: Lambda does not document the CPU an INIT gets).
 */
export function billedInitMs(fn: MeasuredFunction): number {
  return billedMs({ wallMs: fn.initMs, cpuMs: fn.initCpuMs, memorySizeMb: fn.memorySizeMb });
}

/** A Lambda function's lines per million events: requests, duration, cold-start INIT, logs and, with active tracing, X-Ray. */
export function lambdaCostLines(name: string, fn: MeasuredFunction, eventsPerMonth: number): CostLine[] {
  const million = 1_000_000;
  const invocations = million / fn.eventsPerInvocation;
  const ms = billedMs(fn);
  const gbSeconds = invocations * (fn.memorySizeMb / 1024) * (ms / 1000);
  const coldStarts = invocations * COLD_STARTS_PER_INVOCATION;
  const initMs = billedInitMs(fn);
  const initGbSeconds = coldStarts * (fn.memorySizeMb / 1024) * (initMs / 1000);
  const logBytes = million * fn.logBytesPerEvent + invocations * fn.platformLogBytesPerInvocation;
  const traced = fn.activeTracing ? invocations * tracedShare((eventsPerMonth / million) * invocations) : 0;
  return [
    ...(fn.activeTracing
      ? [
          {
            item: `${name} X-Ray traces`,
            basis: `active tracing, default sampling: ${Math.round((traced / invocations) * 100)}% of invocations at ${(eventsPerMonth / million).toLocaleString('en-US')} million events a month`,
            usdPerMillion: (traced / million) * PRICES.xrayPerMillionTracesRecorded,
          },
        ]
      : []),
    {
      item: `${name} Lambda requests`,
      basis: `${invocations.toLocaleString('en-US')} invocations`,
      usdPerMillion: (invocations / million) * PRICES.lambdaPerMillionRequests,
    },
    {
      item: `${name} Lambda duration`,
      basis: `${ms} ms billed per invocation at ${fn.memorySizeMb} MB (arm64)`,
      usdPerMillion: gbSeconds * PRICES.lambdaArmPerGbSecond,
    },
    {
      item: `${name} Lambda INIT (cold starts)`,
      basis: `${coldStarts.toLocaleString('en-US')} cold starts (${COLD_STARTS_PER_INVOCATION * 100}% of invocations, assumed), ${initMs} ms billed each`,
      usdPerMillion: initGbSeconds * PRICES.lambdaArmPerGbSecond,
    },
    {
      item: `${name} logs`,
      basis: `${Math.round(logBytes / million)} bytes per event delivered${fn.platformLogBytesPerInvocation > 0 ? " incl. Lambda's own records" : ' (metrics; no line per event)'}`,
      usdPerMillion: (logBytes / 1024 ** 3) * PRICES.logsIngestionPerGb,
    },
  ];
}

export function costPerMillion(inputs: CostInputs): { lines: CostLine[]; totalUsd: number } {
  const million = 1_000_000;
  const lambdaLines = (name: string, fn: MeasuredFunction): CostLine[] => lambdaCostLines(name, fn, inputs.eventsPerMonth);
  const lines: CostLine[] = [
    {
      item: 'API Gateway HTTP API',
      basis: `${inputs.httpRequestsPerEvent} request per event`,
      usdPerMillion: inputs.httpRequestsPerEvent * PRICES.httpApiPerMillionRequests,
    },
    {
      item: 'API Gateway access logs',
      basis: `${inputs.accessLogBytesPerRequest} bytes per request${inputs.accessLogClass === 'INFREQUENT_ACCESS' ? ', Infrequent Access log class' : ''}`,
      usdPerMillion:
        ((million * inputs.httpRequestsPerEvent * inputs.accessLogBytesPerRequest) / 1024 ** 3) *
        (inputs.accessLogClass === 'INFREQUENT_ACCESS' ? PRICES.logsInfrequentAccessIngestionPerGb : PRICES.logsIngestionPerGb),
    },
    ...lambdaLines('verifier', inputs.verifier),
    {
      item: 'SQS',
      basis: `${inputs.sqsRequestsPerEvent.toFixed(2)} requests per event`,
      usdPerMillion: inputs.sqsRequestsPerEvent * PRICES.sqsPerMillionRequests,
    },
    ...lambdaLines('processor', inputs.processor),
    {
      item: 'DynamoDB writes',
      basis: `${inputs.writeUnitsPerEvent.toFixed(2)} write units per event (on-demand)`,
      usdPerMillion: inputs.writeUnitsPerEvent * PRICES.dynamoDbPerMillionWriteUnits,
    },
    {
      item: 'DynamoDB reads',
      basis: `${inputs.readUnitsPerEvent.toFixed(2)} read units per event (on-demand)`,
      usdPerMillion: inputs.readUnitsPerEvent * PRICES.dynamoDbPerMillionReadUnits,
    },
  ];
  return { lines, totalUsd: lines.reduce((sum, line) => sum + line.usdPerMillion, 0) };
}
