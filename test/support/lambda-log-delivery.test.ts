import { deliveredByLambda, lambdaLevelOf } from './lambda-log-delivery';

describe("Lambda's log-level rule", () => {
  it('takes the level of a JSON object, case-insensitively, and files everything else as INFO', () => {
    expect(lambdaLevelOf('{"level":"WARN","message":"x"}')).toBe('WARN');
    expect(lambdaLevelOf('{"level":"debug","msg":"x"}')).toBe('DEBUG');
    expect(lambdaLevelOf('{"_aws":{"Timestamp":1},"Things":1}')).toBe('INFO');
    expect(lambdaLevelOf('{"level":"CRITICAL"}')).toBe('INFO');
    expect(lambdaLevelOf('plain text')).toBe('INFO');
  });

  it('delivers what is at or above the configured level', () => {
    expect(deliveredByLambda('{"level":"ERROR"}', 'WARN')).toBe(true);
    expect(deliveredByLambda('{"level":"WARN"}', 'WARN')).toBe(true);
    expect(deliveredByLambda('{"level":"INFO"}', 'WARN')).toBe(false);
    expect(deliveredByLambda('{"_aws":{"Timestamp":1},"Things":1}', 'WARN')).toBe(false);
    expect(deliveredByLambda('{"_aws":{"Timestamp":1},"Things":1}', 'INFO')).toBe(true);
  });
});
