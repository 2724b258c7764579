import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureEmf } from '../../test/support/capture-emf';
import { createEmfPublisher, powertoolsSettings } from './metric-groups';
import { METRICS_NAMESPACE } from './metrics-contract';

describe('powertoolsSettings', () => {
  it('defaults to the contract names and takes the stack\'s environment when set', () => {
    expect(powertoolsSettings('clerk-webhook-processor', {})).toEqual({
      serviceName: 'clerk-webhook-processor',
      namespace: METRICS_NAMESPACE,
    });
    expect(
      powertoolsSettings('clerk-webhook-processor', { POWERTOOLS_SERVICE_NAME: 'svc', POWERTOOLS_METRICS_NAMESPACE: 'Ns' }),
    ).toEqual({ serviceName: 'svc', namespace: 'Ns' });
    expect(powertoolsSettings('x', { POWERTOOLS_SERVICE_NAME: '  ' }).serviceName).toBe('x');
  });

  it('reads the level Lambda filters application logs at, when Lambda sets one', () => {
    expect(powertoolsSettings('x', { AWS_LAMBDA_LOG_LEVEL: 'WARN' }).lambdaLogLevel).toBe('WARN');
    expect(powertoolsSettings('x', {})).not.toHaveProperty('lambdaLogLevel');
  });
});

describe('createEmfPublisher', () => {
  const settings = { serviceName: 'test-service', namespace: 'TestNamespace' };

  it('writes one EMF document per group, each with its own dimension set besides service', async () => {
    const publisher = createEmfPublisher(settings);
    const documents = await captureEmf(() =>
      publisher.publish([
        {
          dimensions: {},
          values: [
            { name: 'Things', unit: MetricUnit.Count, value: 3 },
            { name: 'Lag', unit: MetricUnit.Milliseconds, value: 10 },
            { name: 'Lag', unit: MetricUnit.Milliseconds, value: 25 },
          ],
        },
        { dimensions: { kind: 'a' }, values: [{ name: 'Things', unit: MetricUnit.Count, value: 2 }] },
        { dimensions: { kind: 'b' }, values: [] },
      ]),
    );

    expect(documents).toHaveLength(2);
    expect(documents[0]).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'TestNamespace',
            Dimensions: [['service']],
            Metrics: [
              { Name: 'Things', Unit: 'Count' },
              { Name: 'Lag', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      service: 'test-service',
      Things: 3,
      Lag: [10, 25],
    });
    expect(documents[1]).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [{ Namespace: 'TestNamespace', Dimensions: [['service', 'kind']], Metrics: [{ Name: 'Things', Unit: 'Count' }] }],
      },
      service: 'test-service',
      kind: 'a',
      Things: 2,
    });
  });

  it('does not carry values or dimensions from one publish into the next', async () => {
    const publisher = createEmfPublisher(settings);
    const group = { dimensions: { kind: 'a' }, values: [{ name: 'Things', unit: MetricUnit.Count, value: 1 }] };
    const documents = await captureEmf(() => {
      publisher.publish([group]);
      publisher.publish([{ dimensions: { kind: 'b' }, values: group.values }]);
    });
    expect(documents.map((document) => [document.kind, document.Things])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
  });

  it('marks every document with the level Lambda filters at, so the filter never drops a metric', async () => {
    const publisher = createEmfPublisher({ ...settings, lambdaLogLevel: 'ERROR' });
    const values = [{ name: 'Things', unit: MetricUnit.Count, value: 1 }];
    const documents = await captureEmf(() => {
      publisher.publish([{ dimensions: {}, values }, { dimensions: { kind: 'a' }, values }]);
      publisher.publish([{ dimensions: { kind: 'a' }, values }]);
    });
    expect(documents.map((document) => document.level)).toEqual(['ERROR', 'ERROR', 'ERROR']);
    // Neither a dimension nor a metric: CloudWatch extracts exactly what it did before.
    expect(documents[1]!._aws.CloudWatchMetrics).toEqual([
      { Namespace: 'TestNamespace', Dimensions: [['service', 'kind']], Metrics: [{ Name: 'Things', Unit: 'Count' }] },
    ]);
    // Without Lambda's filter (local pipeline, tests) the documents stay as they were.
    const unfiltered = await captureEmf(() => createEmfPublisher(settings).publish([{ dimensions: {}, values }]));
    expect(unfiltered[0]).not.toHaveProperty('level');
  });

  it('writes nothing when POWERTOOLS_METRICS_DISABLED is set', async () => {
    const saved = process.env.POWERTOOLS_METRICS_DISABLED;
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    try {
      const publisher = createEmfPublisher(settings);
      const documents = await captureEmf(() =>
        publisher.publish([{ dimensions: {}, values: [{ name: 'Things', unit: MetricUnit.Count, value: 1 }] }]),
      );
      expect(documents).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = saved;
    }
  });
});
