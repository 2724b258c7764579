import path from 'node:path';
import { Webhook } from 'svix';
import { ConfigurationError, InvalidSigningSecretError } from '../lambdas/shared/errors';
import { generateSigningSecret, type LocalConfig, readLocalCommand } from './local-config';

/** `npm start`'s settings from argv and the environment. */

function config(argv: string[], env: NodeJS.ProcessEnv = {}): LocalConfig {
  const command = readLocalCommand(argv, env);
  if (command.kind !== 'start') throw new Error('expected a start command');
  return command.config;
}

const SECRET_A = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SECRET_B = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

describe('local config', () => {
  it('defaults to the ports and table the README names, in memory, with a generated secret', () => {
    const defaults = config([]);
    expect(defaults).toEqual({
      port: 3000,
      dynamoDbPort: 8000,
      sqsPort: 9324,
      dataDir: null,
      tableName: 'clerk-sync',
      signingSecrets: [expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/)],
      secretOrigin: 'generated',
      logLevel: 'WARN',
    });
  });

  it('generates secrets Svix itself can sign with', () => {
    const secret = generateSigningSecret();
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(24);
    expect(new Webhook(secret).sign('msg_1', new Date(), '{}')).toMatch(/^v1,/);
    expect(generateSigningSecret()).not.toBe(secret);
  });

  it('reads ports, table, log level, data dir and one or more secrets from the environment', () => {
    const read = config([], {
      PORT: '0',
      DYNAMODB_PORT: '8001',
      SQS_PORT: '9325',
      TABLE_NAME: 'my-table',
      LOG_LEVEL: 'debug',
      DATA_DIR: 'tmp/ddb',
      CLERK_WEBHOOK_SIGNING_SECRET: ` ${SECRET_A}, ${SECRET_B} `,
    });
    expect(read).toEqual(
      expect.objectContaining({
        port: 0,
        dynamoDbPort: 8001,
        sqsPort: 9325,
        tableName: 'my-table',
        logLevel: 'DEBUG',
        dataDir: path.resolve('tmp/ddb'),
        signingSecrets: [SECRET_A, SECRET_B],
        secretOrigin: 'environment',
      }),
    );
  });

  it("reads CLERK_INSTANCE_IDS with the verifier's own parser; unset, events of any instance are queued", () => {
    expect(config([])).not.toHaveProperty('allowedInstanceIds');
    expect(config([], { CLERK_INSTANCE_IDS: 'ins_2abc, ins_2def' }).allowedInstanceIds).toEqual(['ins_2abc', 'ins_2def']);
    expect(() => config([], { CLERK_INSTANCE_IDS: 'ins_2abc app_2def' })).toThrow(
      new ConfigurationError('CLERK_INSTANCE_IDS: "app_2def" is not a Clerk instance id (ins_ followed by letters and digits)'),
    );
  });

  it('takes --data-dir over DATA_DIR, in both spellings', () => {
    expect(config(['--data-dir', '/var/ddb'], { DATA_DIR: '/elsewhere' }).dataDir).toBe('/var/ddb');
    expect(config(['--data-dir=/var/ddb2']).dataDir).toBe('/var/ddb2');
  });

  it('writes mails to MAILBOX_DIR or --mailbox-dir (absolute), and --no-mail turns the notifier off', () => {
    expect(config([]).mailboxDir).toBeUndefined();
    expect(config([], { MAILBOX_DIR: 'tmp/mails' }).mailboxDir).toBe(path.resolve('tmp/mails'));
    expect(config(['--mailbox-dir', '/var/mail'], { MAILBOX_DIR: '/elsewhere' }).mailboxDir).toBe('/var/mail');
    expect(config(['--mailbox-dir=/var/mail2']).mailboxDir).toBe('/var/mail2');
    expect(config(['--no-mail'], { MAILBOX_DIR: '/elsewhere' }).mailboxDir).toBeNull();
    expect(() => config(['--mailbox-dir'])).toThrow('--mailbox-dir needs a directory');
  });

  it('refuses bad values with errors that say which setting is wrong', () => {
    expect(() => config([], { PORT: '70000' })).toThrow(new ConfigurationError('PORT must be a port number from 0 to 65535 (0 picks a free one), got "70000"'));
    expect(() => config([], { SQS_PORT: 'abc' })).toThrow(ConfigurationError);
    expect(() => config([], { TABLE_NAME: 'a b' })).toThrow(ConfigurationError);
    expect(() => config([], { LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL must be one of/);
    expect(() => config(['--data-dir'])).toThrow('--data-dir needs a directory');
    expect(() => config(['--port', '1'])).toThrow('unknown argument "--port"; see --help');
    expect(() => config([], { CLERK_WEBHOOK_SIGNING_SECRET: 'whsec_not base64!' })).toThrow(InvalidSigningSecretError);
    expect(() => config([], { CLERK_WEBHOOK_SIGNING_SECRET: 'secret123' })).toThrow(/^CLERK_WEBHOOK_SIGNING_SECRET: /);
  });

  it('answers help', () => {
    expect(readLocalCommand(['--help'], {})).toEqual({ kind: 'help' });
    expect(readLocalCommand(['-h'], { PORT: 'ignored when asking for help' })).toEqual({ kind: 'help' });
  });
});
