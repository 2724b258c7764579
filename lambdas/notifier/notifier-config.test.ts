import { ConfigurationError } from '../shared/errors';
import { parseAdminRoles, readNotifierConfig } from './notifier-config';

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
});
