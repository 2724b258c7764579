import { coldStart, thrownBy } from '../../test/support/cold-start';

/** index.ts reads its configuration at import: a bad deployment fails at cold start, before any batch. */
describe('notifier index', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  const REQUIRED = { TABLE_NAME: 'clerk-sync', LEDGER_TABLE_NAME: 'clerk-sync-mail-ledger', MAIL_FROM: 'welcome@acme.example' };

  const importIndex = (): unknown => coldStart(() => require('./index'));


  function setEnv(env: Record<string, string>): void {
    for (const name of [...Object.keys(REQUIRED), 'ADMIN_ROLES', 'WELCOME_MAX_AGE_DAYS']) delete process.env[name];
    Object.assign(process.env, env);
  }

  it.each(Object.keys(REQUIRED))('throws a ConfigurationError naming %s when it is missing', (name) => {
    const env: Record<string, string> = { ...REQUIRED };
    delete env[name];
    setEnv(env);
    const error = thrownBy(importIndex);
    expect(error.code).toBe('CONFIGURATION');
    expect(error.message).toBe(`environment variable ${name} is required but not set`);
  });

  it('rejects an ADMIN_ROLES list with an empty entry', () => {
    setEnv({ ...REQUIRED, ADMIN_ROLES: 'org:admin,,admin' });
    const error = thrownBy(importIndex);
    expect(error.code).toBe('CONFIGURATION');
    expect(error.message).toBe('environment variable ADMIN_ROLES has an empty entry: "org:admin,,admin"');
  });

  it('rejects a WELCOME_MAX_AGE_DAYS that is not a positive integer', () => {
    setEnv({ ...REQUIRED, WELCOME_MAX_AGE_DAYS: 'seven' });
    expect(thrownBy(importIndex).message).toBe('environment variable WELCOME_MAX_AGE_DAYS must be a positive integer, got "seven"');
  });

  it('exports a handler when configured', () => {
    setEnv(REQUIRED);
    expect(importIndex()).toEqual({ handler: expect.any(Function) });
  });
});
