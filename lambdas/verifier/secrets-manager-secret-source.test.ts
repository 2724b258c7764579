import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidSigningSecretError, SigningSecretUnavailableError } from '../shared/errors';
import { CapturingLogger } from '../../test/support/capturing-logger';
import { createSecretsManagerSecretSource } from './secrets-manager-secret-source';

const OLD = 'whsec_' + Buffer.alloc(24, 1).toString('base64');
const NEW = 'whsec_' + Buffer.alloc(24, 2).toString('base64');
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:clerk-signing-AbCdEf';

function setup(options: { ttlMs?: number } = {}) {
  const client = new SecretsManagerClient({ region: 'us-east-1' });
  const secretsManager = mockClient(client);
  const clock = { now: 1_700_000_000_000 };
  const logger = new CapturingLogger();
  const source = createSecretsManagerSecretSource({
    client,
    secretId: SECRET_ARN,
    ttlMs: options.ttlMs ?? 300_000,
    now: () => clock.now,
    logger,
  });
  const calls = () => secretsManager.commandCalls(GetSecretValueCommand).length;
  return { secretsManager, clock, logger, source, calls };
}

describe('createSecretsManagerSecretSource', () => {
  it('reads the secret by its ARN and caches it for the TTL', async () => {
    const { secretsManager, clock, source, calls } = setup({ ttlMs: 300_000 });
    secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: `${OLD} ${NEW}` });

    const first = await source.getSecrets();
    expect(first).toEqual([OLD, NEW]);
    clock.now += 299_999;
    expect(await source.getSecrets()).toBe(first);
    expect(calls()).toBe(1);

    clock.now += 1;
    expect(await source.getSecrets()).toBe(first); // unchanged value: same instance, keys stay decoded
    expect(calls()).toBe(2);
  });

  it('shares one in-flight fetch between concurrent callers', async () => {
    const { secretsManager, source, calls } = setup();
    secretsManager.on(GetSecretValueCommand).callsFake(
      () => new Promise((resolve) => setTimeout(() => resolve({ SecretString: OLD }), 20)),
    );
    const results = await Promise.all(Array.from({ length: 5 }, () => source.getSecrets()));
    expect(calls()).toBe(1);
    for (const result of results) expect(result).toBe(results[0]);
  });

  it('refreshes on request only when the last fetch is at least 5 s old', async () => {
    const { secretsManager, clock, source, calls } = setup();
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: OLD }).resolves({ SecretString: NEW });
    const initial = await source.getSecrets();

    clock.now += 4_999;
    expect(await source.getSecrets({ refresh: true })).toBe(initial);
    expect(calls()).toBe(1);

    clock.now += 1;
    expect(await source.getSecrets({ refresh: true })).toEqual([NEW]);
    expect(calls()).toBe(2);

    // A flood of refresh requests right after costs nothing more.
    for (let i = 0; i < 50; i += 1) await source.getSecrets({ refresh: true });
    expect(calls()).toBe(2);
  });

  it('throws SigningSecretUnavailableError when the first fetch fails, and retries on the next call', async () => {
    const { secretsManager, source, calls } = setup();
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ SecretString: OLD });
    const failure = source.getSecrets();
    await expect(failure).rejects.toBeInstanceOf(SigningSecretUnavailableError);
    await expect(failure).rejects.toThrow(
      'could not read the signing secret from Secrets Manager (ThrottlingException: Rate exceeded)',
    );
    expect(await source.getSecrets()).toEqual([OLD]);
    expect(calls()).toBe(2);
  });

  it('keeps serving the cached value when a later fetch fails, and backs off', async () => {
    const { secretsManager, clock, logger, source, calls } = setup({ ttlMs: 60_000 });
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: OLD })
      .rejects(Object.assign(new Error('endpoint unreachable'), { name: 'TimeoutError' }));
    const initial = await source.getSecrets();

    clock.now += 60_000;
    expect(await source.getSecrets()).toBe(initial);
    expect(await source.getSecrets()).toBe(initial);
    expect(calls()).toBe(2); // the second call within 5 s of the failed attempt does not ask again
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'signing secret refresh failed; still using the cached value',
        code: 'SIGNING_SECRET_UNAVAILABLE',
      }),
    ]);
  });

  it('rejects a value that does not parse, without ever logging or quoting it', async () => {
    const { secretsManager, clock, logger, source } = setup({ ttlMs: 1_000 });
    const leaked = 'sk_live_notAWebhookSecret';
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: leaked });
    await expect(source.getSecrets()).rejects.toThrow(
      new InvalidSigningSecretError('signing secret entry 1 of 1 does not start with whsec_'),
    );

    // Once a good value is cached, a bad new one is logged as an error and the good one kept.
    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: OLD }).resolves({ SecretString: leaked });
    const good = await source.getSecrets();
    clock.now += 1_000;
    expect(await source.getSecrets()).toBe(good);
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'ERROR', code: 'INVALID_SIGNING_SECRET' })]);
    expect(logger.text()).not.toContain(leaked);
    expect(logger.text()).not.toContain(OLD.slice(6));
  });

  it('rejects a binary secret', async () => {
    const { secretsManager, source } = setup();
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    await expect(source.getSecrets()).rejects.toThrow(
      new InvalidSigningSecretError('signing secret has no string value (a binary secret is not supported)'),
    );
  });
});
