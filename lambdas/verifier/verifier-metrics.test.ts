import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  ConfigurationError,
  EnqueueFailedError,
  InvalidSignatureError,
  InvalidSigningSecretError,
  MalformedHeaderError,
  MalformedWebhookBodyError,
  MethodNotAllowedError,
  MissingHeaderError,
  PayloadTooLargeError,
  SigningSecretUnavailableError,
  SourceNotAllowedError,
  TimestampOutOfRangeError,
} from '../shared/errors';
import { captureEmf } from '../../test/support/capture-emf';
import { createEmfPublisher } from '../shared/metric-groups';
import { METRICS_NAMESPACE, REJECTION_REASONS, SERVICE_NAMES } from '../shared/metrics-contract';
import { classifyError } from './http-responses';
import { webhookMetricGroups } from './verifier-metrics';

const count = (name: string) => ({ name, unit: MetricUnit.Count, value: 1 });
const rejectionReasonOf = (error: unknown) => classifyError(error).rejection;

describe('rejection reasons', () => {
  it.each([
    [new SourceNotAllowedError('x'), 'source'],
    [new MethodNotAllowedError('x'), 'method'],
    [new PayloadTooLargeError('x'), 'size'],
    [new MissingHeaderError('x'), 'headers'],
    [new MalformedHeaderError('x'), 'headers'],
    [new TimestampOutOfRangeError('x'), 'timestamp'],
    [new InvalidSignatureError('x'), 'signature'],
    [new MalformedWebhookBodyError('x'), 'body'],
  ])('%s is a 4xx rejected for "%s"', (error, reason) => {
    expect(classifyError(error).statusCode).toBeGreaterThanOrEqual(400);
    expect(classifyError(error).statusCode).toBeLessThan(500);
    expect(rejectionReasonOf(error)).toBe(reason);
  });

  it('gives every reason of the contract a cause', () => {
    const covered = [
      SourceNotAllowedError,
      MethodNotAllowedError,
      PayloadTooLargeError,
      MissingHeaderError,
      TimestampOutOfRangeError,
      InvalidSignatureError,
      MalformedWebhookBodyError,
    ].map((ErrorClass) => rejectionReasonOf(new ErrorClass('x')));
    expect(new Set(covered)).toEqual(new Set(Object.values(REJECTION_REASONS)));
  });

  it.each([
    new SigningSecretUnavailableError('x'),
    new EnqueueFailedError('x'),
    new InvalidSigningSecretError('x'),
    new ConfigurationError('x'),
    new Error('boom'),
  ])('%s is a 5xx, not a rejection', (error) => {
    expect(classifyError(error).statusCode).toBeGreaterThanOrEqual(500);
    expect(rejectionReasonOf(error)).toBeUndefined();
  });
});

describe('webhook metrics', () => {
  it('publishes nothing for an accepted request: the dashboard derives it from the invocations', () => {
    expect(webhookMetricGroups({ result: 'accepted', statusCode: 200, svixId: 'msg_1', eventType: 'user.created' })).toEqual([]);
  });

  it('counts an event of another Clerk instance as foreign', () => {
    expect(webhookMetricGroups({ result: 'ignored', statusCode: 200, svixId: 'msg_1', eventType: 'user.created' })).toEqual([
      { dimensions: {}, values: [count('WebhooksForeignInstance')] },
    ]);
  });

  it('counts an event of a type the table does not store as not modelled', () => {
    expect(webhookMetricGroups({ result: 'not-modelled', statusCode: 200, svixId: 'msg_1', eventType: 'email.created' })).toEqual([
      { dimensions: {}, values: [count('WebhooksNotModelled')] },
    ]);
  });

  it('counts a rejection in total and once more by reason', () => {
    expect(webhookMetricGroups({ result: 'rejected', statusCode: 401, code: 'INVALID_SIGNATURE', rejection: 'signature' })).toEqual([
      { dimensions: {}, values: [count('WebhooksRejected')] },
      { dimensions: { reason: 'signature' }, values: [count('WebhooksRejected')] },
    ]);
  });

  it('counts a 5xx as failed', () => {
    expect(webhookMetricGroups({ result: 'failed', statusCode: 503, code: 'ENQUEUE_FAILED' })).toEqual([
      { dimensions: {}, values: [count('WebhooksFailed')] },
    ]);
  });

  it('reaches CloudWatch with {service} and {service, reason} dimension sets', async () => {
    const publisher = createEmfPublisher({ serviceName: SERVICE_NAMES.verifier, namespace: METRICS_NAMESPACE });
    const documents = await captureEmf(() =>
      publisher.publish(webhookMetricGroups({ result: 'rejected', statusCode: 401, rejection: 'timestamp' })),
    );
    expect(documents.map((document) => document._aws.CloudWatchMetrics[0]!.Dimensions)).toEqual([
      [['service']],
      [['service', 'reason']],
    ]);
    expect(documents.map(({ _aws, ...values }) => values)).toEqual([
      { service: 'clerk-webhook-verifier', WebhooksRejected: 1 },
      { service: 'clerk-webhook-verifier', reason: 'timestamp', WebhooksRejected: 1 },
    ]);
  });
});
