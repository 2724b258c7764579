import { InvalidSigningSecretError, SigningSecretUnavailableError } from '../shared/errors';
import { CapturingLogger } from '../../test/support/capturing-logger';
import { createSecretsManagerSecretSource, type SecretStringReader } from './secrets-manager-secret-source';

const OLD = 'whsec_' + Buffer.alloc(24, 1).toString('base64');
const NEW = 'whsec_' + Buffer.alloc(24, 2).toString('base64');
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:clerk-signing-AbCdEf';

type Answer = () => Promise<string | undefined>;
const value = (secretString: string | undefined): Answer => () => Promise.resolve(secretString);
const rejection = (name: string, message: string): Answer => () => Promise.reject(Object.assign(new Error(message), { name }));

/** Secrets Manager as the source sees it: GetSecretValue answers, scripted one by one, then one for all the rest. */
class FakeSecretsManager implements SecretStringReader {
  readonly secretIds: string[] = [];
  private readonly next: Answer[] = [];
  private rest: Answer = rejection('Error', 'no answer scripted');

  answerOnce(...answers: Answer[]): this {
    this.next.push(...answers);
    return this;
  }

  answerAlways(answer: Answer): this {
    this.rest = answer;
    return this;
  }

  getSecretString(secretId: string): Promise<string | undefined> {
    this.secretIds.push(secretId);
    return (this.next.shift() ?? this.rest)();
  }
}

function setup(options: { ttlMs?: number } = {}) {
  const secretsManager = new FakeSecretsManager();
  const clock = { now: 1_700_000_000_000 };
  const logger = new CapturingLogger();
  const source = createSecretsManagerSecretSource({
    secretsManager,
    secretId: SECRET_ARN,
    ttlMs: options.ttlMs ?? 300_000,
    now: () => clock.now,
    logger,
  });
  const calls = () => secretsManager.secretIds.length;
  return { secretsManager, clock, logger, source, calls };
}

describe('createSecretsManagerSecretSource', () => {
  it('reads the secret by its ARN and caches it for the TTL', async () => {
    const { secretsManager, clock, source, calls } = setup({ ttlMs: 300_000 });
    secretsManager.answerAlways(value(`${OLD} ${NEW}`));

    const first = await source.getSecrets();
    expect(first).toEqual([OLD, NEW]);
    clock.now += 299_999;
    expect(await source.getSecrets()).toBe(first);
    expect(calls()).toBe(1);

    clock.now += 1;
    expect(await source.getSecrets()).toBe(first); // unchanged value: same instance, keys stay decoded
    expect(calls()).toBe(2);
    expect(new Set(secretsManager.secretIds)).toEqual(new Set([SECRET_ARN]));
  });

  it('shares one in-flight fetch between concurrent callers', async () => {
    const { secretsManager, source, calls } = setup();
    secretsManager.answerAlways(() => new Promise((resolve) => setTimeout(() => resolve(OLD), 20)));
    const results = await Promise.all(Array.from({ length: 5 }, () => source.getSecrets()));
    expect(calls()).toBe(1);
    for (const result of results) expect(result).toBe(results[0]);
  });

  it('refreshes on request only when the last fetch is at least 5 s old', async () => {
    const { secretsManager, clock, source, calls } = setup();
    secretsManager.answerOnce(value(OLD)).answerAlways(value(NEW));
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

  it('throws SigningSecretUnavailableError when the first fetch fails, and retries once the 1 s backoff is over', async () => {
    const { secretsManager, clock, source, calls } = setup();
    secretsManager.answerOnce(rejection('ThrottlingException', 'Rate exceeded')).answerAlways(value(OLD));
    const failure = source.getSecrets();
    await expect(failure).rejects.toBeInstanceOf(SigningSecretUnavailableError);
    await expect(failure).rejects.toThrow(
      'could not read the signing secret from Secrets Manager (ThrottlingException: Rate exceeded)',
    );
    clock.now += 999;
    const repeated = source.getSecrets();
    await expect(repeated).rejects.toBeInstanceOf(SigningSecretUnavailableError);
    await expect(repeated).rejects.toThrow(
      'could not read the signing secret from Secrets Manager (ThrottlingException: Rate exceeded); Secrets Manager is asked again in 1 ms (backing off after 1 failed reads)',
    );
    expect(calls()).toBe(1);
    clock.now += 1;
    expect(await source.getSecrets()).toEqual([OLD]);
    expect(calls()).toBe(2);
  });

  it.each([
    ['Secrets Manager is down', (fake: FakeSecretsManager) => fake.answerAlways(rejection('TimeoutError', 'unreachable')), SigningSecretUnavailableError],
    ['the secret is still the placeholder', (fake: FakeSecretsManager) => fake.answerAlways(value('Xb3kPq9ZrT6vW2mN8cYh4JdL7sFg1Qe5')), InvalidSigningSecretError],
  ])('with nothing cached and %s, a flood of requests costs one call per backoff (1 s, 2 s, 4 s … 60 s)', async (_case, arrange, errorClass) => {
    const { secretsManager, clock, source, calls } = setup();
    arrange(secretsManager);
    // 10 requests a second for 10 minutes.
    let failures = 0;
    for (let request = 0; request < 6_000; request += 1) {
      await expect(source.getSecrets()).rejects.toBeInstanceOf(errorClass);
      failures += 1;
      clock.now += 100;
    }
    expect(failures).toBe(6_000);
    // Calls at 0, 1, 3, 7, 15, 31, 63 s, then every 60 s: 123, 183, … 543 s. Before the backoff: 6,000.
    expect(calls()).toBe(15);
  });

  it('backs off after failures with a value cached too, and starts over once a read succeeds', async () => {
    const { secretsManager, clock, source, calls } = setup({ ttlMs: 60_000 });
    const outage = rejection('TimeoutError', 'unreachable');
    secretsManager.answerOnce(value(OLD), outage, outage, outage).answerAlways(value(NEW));
    await source.getSecrets();
    clock.now += 60_000; // TTL over: fetch, fails (1 failure: wait at least the 5 s refresh interval)
    expect(await source.getSecrets()).toEqual([OLD]);
    clock.now += 5_000; // fails again (2 failures: 5 s)
    expect(await source.getSecrets()).toEqual([OLD]);
    clock.now += 5_000; // fails again (3 failures: 4 s → still the 5 s interval)
    expect(await source.getSecrets()).toEqual([OLD]);
    expect(calls()).toBe(4);
    clock.now += 5_000;
    expect(await source.getSecrets()).toEqual([NEW]);
    expect(calls()).toBe(5);
  });

  it('keeps serving the cached value when a later fetch fails, and backs off', async () => {
    const { secretsManager, clock, logger, source, calls } = setup({ ttlMs: 60_000 });
    secretsManager.answerOnce(value(OLD)).answerAlways(rejection('TimeoutError', 'endpoint unreachable'));
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
    secretsManager.answerAlways(value(leaked));
    await expect(source.getSecrets()).rejects.toThrow(
      new InvalidSigningSecretError('signing secret entry 1 of 1 does not start with whsec_'),
    );

    // Once a good value is cached (after the backoff), a bad new one is logged as an error and the good one kept.
    clock.now += 1_000;
    secretsManager.answerOnce(value(OLD)).answerAlways(value(leaked));
    const good = await source.getSecrets();
    clock.now += 1_000;
    expect(await source.getSecrets()).toBe(good);
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'ERROR', code: 'INVALID_SIGNING_SECRET' })]);
    expect(logger.text()).not.toContain(leaked);
    expect(logger.text()).not.toContain(OLD.slice(6));
  });

  it('rejects a binary secret', async () => {
    const { secretsManager, source } = setup();
    secretsManager.answerAlways(value(undefined));
    await expect(source.getSecrets()).rejects.toThrow(
      new InvalidSigningSecretError('signing secret has no string value (a binary secret is not supported)'),
    );
  });
});
