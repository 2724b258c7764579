import type { Template } from 'aws-cdk-lib/assertions';
import { onlyResource, synthStack } from './synth-stack';

/** The webhook intake's optional allow-lists and the API 4xx alarm (README, "Security"). */

function verifierEnv(template: Template): Record<string, unknown> {
  const { resource } = onlyResource(template, 'AWS::Lambda::Function', {
    Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'clerk-webhook-verifier' } },
  });
  return (resource.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
}
const alarmNamed = (template: Template, name: string): Record<string, unknown> =>
  onlyResource(template, 'AWS::CloudWatch::Alarm', { AlarmName: `Test-${name}` }).resource.Properties!;

describe('instance and source allow-lists', () => {
  it('are off by default: the verifier gets neither variable', () => {
    const env = verifierEnv(synthStack().template);
    expect(env).not.toHaveProperty('ALLOWED_INSTANCE_IDS');
    expect(env).not.toHaveProperty('ALLOWED_SOURCE_IPS');
  });

  it('reach the verifier from props', () => {
    const env = verifierEnv(
      synthStack({ allowedInstanceIds: ['ins_2prod', 'ins_2prodEu'], allowedSourceIps: 'svix' }).template,
    );
    expect(env).toMatchObject({ ALLOWED_INSTANCE_IDS: 'ins_2prod,ins_2prodEu', ALLOWED_SOURCE_IPS: 'svix' });
  });

  it('reach the verifier from context values separated by commas or spaces, and props win', () => {
    const fromContext = verifierEnv(
      synthStack({}, { allowedInstanceIds: 'ins_2prod ins_2prodEu', allowedSourceIps: 'svix, 203.0.113.0/24' }).template,
    );
    expect(fromContext).toMatchObject({ ALLOWED_INSTANCE_IDS: 'ins_2prod,ins_2prodEu', ALLOWED_SOURCE_IPS: 'svix,203.0.113.0/24' });
    const propWins = verifierEnv(synthStack({ allowedSourceIps: ['2001:db8::/32'] }, { allowedSourceIps: 'svix' }).template);
    expect(propWins).toMatchObject({ ALLOWED_SOURCE_IPS: '2001:db8::/32' });
  });

  it("refuse at synth what the function would refuse at cold start, by the function's own parser", () => {
    expect(() => synthStack({ allowedInstanceIds: [] })).toThrow('allowedInstanceIds names no Clerk instance id');
    expect(() => synthStack({ allowedInstanceIds: ['pk_live_abc'] })).toThrow(
      'allowedInstanceIds: "pk_live_abc" is not a Clerk instance id (ins_ followed by letters and digits)',
    );
    expect(() => synthStack({}, { allowedInstanceIds: 'ins_2a,dev' })).toThrow(
      'context value "allowedInstanceIds": "dev" is not a Clerk instance id',
    );
    expect(() => synthStack({ allowedSourceIps: ['10.0.0.0/33'] })).toThrow(
      'allowedSourceIps: "10.0.0.0/33" is not an IPv4 or IPv6 address or CIDR range (or "svix")',
    );
    expect(() => synthStack({ allowedSourceIps: Array.from({ length: 200 }, (_, i) => `2001:db8:${i.toString(16)}::/48`) })).toThrow(
      /allowedSourceIps is \d+ characters; at most 2048 fit in the function's environment/,
    );
  });
});

describe('API 4xx alarm', () => {
  it('takes its threshold and periods from props', () => {
    const template = synthStack({ apiClientErrorAlarmThreshold: 50, apiClientErrorAlarmPeriods: 6 }).template;
    expect(alarmNamed(template, 'webhook-4xx')).toMatchObject({
      MetricName: '4xx',
      Threshold: 50,
      EvaluationPeriods: 6,
      DatapointsToAlarm: 6,
    });
  });

  it('refuses settings that could never work', () => {
    expect(() => synthStack({ apiClientErrorAlarmThreshold: 0 })).toThrow('apiClientErrorThreshold must be a positive integer, got 0');
    expect(() => synthStack({ apiClientErrorAlarmPeriods: 1.5 })).toThrow('apiClientErrorPeriods must be a positive integer, got 1.5');
  });
});
