import { ConfigurationError } from '../shared/errors';
import { worstCaseCallMs } from '../shared/sdk-client-options';
import { NOTIFIER_DEFAULTS, parseAdminRoles, readNotifierConfig } from './notifier-config';

const required = { TABLE_NAME: 'clerk-sync', LEDGER_TABLE_NAME: 'clerk-sync-mail-ledger', MAIL_FROM: 'Acme <welcome@acme.example>' };

describe('readNotifierConfig', () => {
  it('applies the defaults when only the required variables are set', () => {
    expect(readNotifierConfig(required)).toEqual({
      tableName: 'clerk-sync',
      ledgerTableName: 'clerk-sync-mail-ledger',
      mailFrom: 'Acme <welcome@acme.example>',
      appName: 'our app',
      adminRoles: ['org:admin', 'admin'],
      welcomeMaxAgeDays: 7,
    });
  });

  it('reads every optional setting', () => {
    expect(
      readNotifierConfig({
        ...required,
        SES_CONFIGURATION_SET: 'mail-events',
        APP_NAME: 'Acme',
        ADMIN_ROLES: ' org:owner , org:admin ',
        WELCOME_MAX_AGE_DAYS: '30',
      }),
    ).toEqual({
      tableName: 'clerk-sync',
      ledgerTableName: 'clerk-sync-mail-ledger',
      mailFrom: 'Acme <welcome@acme.example>',
      configurationSetName: 'mail-events',
      appName: 'Acme',
      adminRoles: ['org:owner', 'org:admin'],
      welcomeMaxAgeDays: 30,
    });
  });

  it.each(['TABLE_NAME', 'LEDGER_TABLE_NAME', 'MAIL_FROM'])('requires %s', (name) => {
    const env: Record<string, string> = { ...required, [name]: ' ' };
    expect(() => readNotifierConfig(env)).toThrow(new ConfigurationError(`environment variable ${name} is required but not set`));
  });

  it('rejects a MAIL_FROM that SES could never send from, at cold start', () => {
    expect(() => readNotifierConfig({ ...required, MAIL_FROM: 'Acme welcome@acme.example' })).toThrow(
      'environment variable MAIL_FROM must be one e-mail address, optionally with a display name',
    );
  });

  it('rejects a WELCOME_MAX_AGE_DAYS that is not a positive integer', () => {
    expect(() => readNotifierConfig({ ...required, WELCOME_MAX_AGE_DAYS: '0' })).toThrow(ConfigurationError);
  });
});

describe('parseAdminRoles', () => {
  it('splits a comma list, trimming and de-duplicating', () => {
    expect(parseAdminRoles('org:admin')).toEqual(['org:admin']);
    expect(parseAdminRoles('org:admin, admin,org:admin')).toEqual(['org:admin', 'admin']);
  });

  it('falls back to the defaults when unset or blank', () => {
    expect(parseAdminRoles(undefined)).toEqual(['org:admin', 'admin']);
    expect(parseAdminRoles('  ')).toEqual(['org:admin', 'admin']);
  });

  it.each(['org:admin,', ',org:admin', 'org:admin,,admin', 'org:admin, ,admin'])('rejects the empty entry in "%s"', (raw) => {
    expect(() => parseAdminRoles(raw)).toThrow(ConfigurationError);
    expect(() => parseAdminRoles(raw)).toThrow('ADMIN_ROLES has an empty entry');
  });

  it("takes the construct's list form by the same rules, naming the prop", () => {
    expect(parseAdminRoles(['org:owner', 'org:admin', 'org:owner'], 'mail adminRoles')).toEqual(['org:owner', 'org:admin']);
    expect(() => parseAdminRoles([], 'mail adminRoles')).toThrow('mail adminRoles must be one or more role keys without spaces or commas, got []');
    expect(() => parseAdminRoles(['org:admin,org:owner'], 'mail adminRoles')).toThrow(ConfigurationError);
    expect(() => parseAdminRoles([''], 'mail adminRoles')).toThrow(ConfigurationError);
  });

  // The stack always refused a role with a space; the variable and replay-mails' flag took one.
  it.each(['org: admin', 'org:admin, org owner'])('rejects a role key with a space in "%s"', (raw) => {
    expect(() => parseAdminRoles(raw)).toThrow('ADMIN_ROLES must be one or more role keys without spaces or commas');
    expect(() => parseAdminRoles(raw.split(','), 'mail adminRoles')).toThrow(ConfigurationError);
  });
});

describe('the bounds of the notifier\'s AWS calls fit its lease', () => {
  const { leaseMs, sendMarginMs, awsCalls, sesCalls, timeoutSeconds } = NOTIFIER_DEFAULTS;

  it('a hung ledger call fails within the margin the lease keeps after the send, so mark or release happen while the claim is ours', () => {
    expect(worstCaseCallMs(awsCalls)).toBeLessThanOrEqual(sendMarginMs);
  });

  it('a hung SES call fails before the send is aborted, and a claim always leaves time to log the outcome', () => {
    expect(worstCaseCallMs(sesCalls)).toBeLessThanOrEqual(leaseMs - sendMarginMs);
    expect(leaseMs).toBeLessThan(timeoutSeconds * 1000);
  });
});
