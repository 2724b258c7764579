import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROCESSOR_ENV } from '../lambdas/processor/processor-config';
import { VERIFIER_ENV } from '../lambdas/verifier/verifier-config';
import type { ApplicationLogLevel } from '../test/support/lambda-log-delivery';
import { type DeployedFunction, type InvocationResult, lambdaEnvironment, runBundle } from './deployed-functions';
import { clerkBodyOfSize, newSvixId, signDelivery } from './payloads';
import { type Spread, spreadOf } from './stats';
import { seededRandom } from './timing';
import { httpApiEvent } from './verifier-handler.bench';
import { batches, generateWorkload, sqsEvent, UNMODELLED_TYPE, unmodelledShare } from './workload';

/**
 * The bundled functions from cdk.out, warm, one invocation after another in one process (one
 * Lambda environment), against the local engines: how long an invocation takes (what Lambda
 * bills) and how many bytes each writes to its log (what CloudWatch Logs ingests), everything
 * the deployed code prints included (Powertools log lines, metrics in EMF).
 */

export interface DeployedRunsOptions {
  readonly verifier: DeployedFunction;
  readonly processor: DeployedFunction;
  readonly workDir: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly tableName: string;
  readonly sqsEndpoint: string;
  readonly dynamoDbEndpoint: string;
  readonly secretsManagerEndpoint: string;
  readonly signingSecret: string;
  readonly verifierEvents: number;
  readonly processorBatches: number;
  readonly batchSize: number;
  /** Run at this application log level instead of the deployed one (what turning it up costs). */
  readonly applicationLogLevel?: ApplicationLogLevel;
}

export interface DeployedRunsResult {
  /** Milliseconds per verifier invocation (one event), warm invocations only. */
  readonly verifierMs: Spread;
  /** CPU milliseconds per verifier invocation. */
  readonly verifierCpuMs: Spread;
  readonly verifierLogBytesPerEvent: number;
  readonly verifierLogLinesPerEvent: number;
  /** Log bytes per event by kind of line (info, emf, ...). */
  readonly verifierLogBytesPerEventByKind: Record<string, number>;
  /** Milliseconds per processor invocation (one batch), warm invocations only. */
  readonly processorBatchMs: Spread;
  /** CPU milliseconds per processor invocation. */
  readonly processorBatchCpuMs: Spread;
  /** Per queued event: the processor sees no other. */
  readonly processorLogBytesPerEvent: number;
  readonly processorLogLinesPerEvent: number;
  readonly processorLogBytesPerEventByKind: Record<string, number>;
  /** The processor's INIT (process start to handler loaded) in this run's fresh process, wall and CPU ms. */
  readonly processorInitMs: number;
  readonly processorInitCpuMs: number;
}

export async function benchDeployedRuns(options: DeployedRunsOptions): Promise<DeployedRunsResult> {
  const levelOverride: Record<string, string> =
    options.applicationLogLevel === undefined ? {} : { AWS_LAMBDA_LOG_LEVEL: options.applicationLogLevel };
  const body = clerkBodyOfSize(2048);
  // Types the table does not store, in the traffic mix's share: the verifier acknowledges them
  // without queueing, and counts each (a metric document).
  const unmodelledBody = clerkBodyOfSize(2048, UNMODELLED_TYPE);
  const share = unmodelledShare();
  const isUnmodelled = (index: number): boolean => Math.floor((index + 1) * share) > Math.floor(index * share);
  const verifierEvents = Array.from({ length: options.verifierEvents }, (_, index) => {
    const delivery = signDelivery(options.signingSecret, newSvixId(), isUnmodelled(index) ? unmodelledBody : body, Date.now());
    return httpApiEvent(delivery.headers, delivery.body);
  });
  const verifierEventsPath = path.join(options.workDir, 'verifier-events.json');
  writeFileSync(verifierEventsPath, JSON.stringify(verifierEvents));
  const verifier = await runBundle(
    options.verifier,
    verifierEventsPath,
    lambdaEnvironment(options.verifier, {
      [VERIFIER_ENV.queueUrl]: options.queueUrl,
      [VERIFIER_ENV.signingSecretArn]: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:clerk-webhook-signing-secret-AbCdEf',
      // The emulator's queue URLs name their own host; sent elsewhere, the SDK warns on every message.
      AWS_ENDPOINT_URL_SQS: new URL(options.queueUrl).origin,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: options.secretsManagerEndpoint,
      ...levelOverride,
    }),
    (invocation) => invocation.statusCode === 200,
  );

  // Only what the verifier queues reaches the processor: the types the table stores.
  const workload = generateWorkload(Math.ceil((options.processorBatches * options.batchSize) / (1 - unmodelledShare())), seededRandom(7))
    .filter((item) => item.event.type !== UNMODELLED_TYPE)
    .slice(0, options.processorBatches * options.batchSize);
  const processorEventsPath = path.join(options.workDir, 'processor-events.json');
  writeFileSync(processorEventsPath, JSON.stringify(batches(workload, options.batchSize).map((batch) => sqsEvent(batch))));
  const processor = await runBundle(
    options.processor,
    processorEventsPath,
    lambdaEnvironment(options.processor, {
      [PROCESSOR_ENV.tableName]: options.tableName,
      [PROCESSOR_ENV.queueUrl]: options.queueUrl,
      [PROCESSOR_ENV.deadLetterQueueUrl]: options.deadLetterQueueUrl,
      // The emulator's queue URLs name their own host; sent elsewhere, the SDK warns on every message.
      AWS_ENDPOINT_URL_SQS: new URL(options.queueUrl).origin,
      AWS_ENDPOINT_URL_DYNAMODB: options.dynamoDbEndpoint,
      ...levelOverride,
    }),
    (invocation) => invocation.failures === 0,
  );
  const warm = (invocations: readonly InvocationResult[], key: 'ms' | 'cpuMs'): number[] =>
    invocations.slice(1).map((invocation) => invocation[key]);
  return {
    verifierMs: spreadOf(warm(verifier.invocations, 'ms')),
    verifierCpuMs: spreadOf(warm(verifier.invocations, 'cpuMs')),
    verifierLogBytesPerEvent: verifier.logBytes / verifierEvents.length,
    verifierLogLinesPerEvent: verifier.logLines / verifierEvents.length,
    verifierLogBytesPerEventByKind: perEvent(verifier.logBytesByKind, verifierEvents.length),
    processorBatchMs: spreadOf(warm(processor.invocations, 'ms')),
    processorBatchCpuMs: spreadOf(warm(processor.invocations, 'cpuMs')),
    processorLogBytesPerEvent: processor.logBytes / workload.length,
    processorLogLinesPerEvent: processor.logLines / workload.length,
    processorLogBytesPerEventByKind: perEvent(processor.logBytesByKind, workload.length),
    processorInitMs: processor.invocations[0]?.initMs ?? Number.NaN,
    processorInitCpuMs: processor.invocations[0]?.initCpuMs ?? Number.NaN,
  };
}

function perEvent(bytesByKind: Record<string, number>, events: number): Record<string, number> {
  return Object.fromEntries(Object.entries(bytesByKind).map(([kind, bytes]) => [kind, bytes / events]));
}
