import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ConfigurationError, InvalidSigningSecretError } from '../lambdas/shared/errors';
import { parseSigningSecrets, SIGNING_SECRET_PREFIX } from '../lambdas/verifier/signing-secrets';
import { parseInstanceIds } from '../lambdas/verifier/verifier-config';
import { INSTANCE_IDS_ENV, LOCAL_DEFAULTS, MAILBOX_DIR_ENV, SIGNING_SECRET_ENV } from '../lib/local-names';

/** `npm start`'s settings, from the command line and the environment (README, "Run it locally"). */

export interface LocalConfig {
  readonly port: number;
  readonly dynamoDbPort: number;
  readonly sqsPort: number;
  /** Absolute; null keeps DynamoDB Local in memory. */
  readonly dataDir: string | null;
  readonly tableName: string;
  readonly signingSecrets: readonly string[];
  /** Whether the secrets came from the environment or were generated for this run (and must be printed). */
  readonly secretOrigin: 'environment' | 'generated';
  readonly logLevel: LocalLogLevel;
  /** Clerk instances whose events are queued; absent: any (CLERK_INSTANCE_IDS). */
  readonly allowedInstanceIds?: readonly string[];
  /**
   * Where the notifier writes its mails (absolute), null with --no-mail; absent when neither
   * MAILBOX_DIR nor a flag says: LOCAL_DEFAULTS.mailboxDir.
   */
  readonly mailboxDir?: string | null;
}

export type LocalCommand = { readonly kind: 'help' } | { readonly kind: 'start'; readonly config: LocalConfig };

export const USAGE = `Usage: npm start [-- --data-dir <dir>] [--mailbox-dir <dir> | --no-mail]

Runs the whole pipeline locally: DynamoDB Local, an SQS emulator, the webhook at
POST http://127.0.0.1:$PORT/webhooks/clerk, the verifier and the processor, and the
notifier on the table's stream, which writes welcome mails as .eml files.

Options:
  --data-dir <dir>      keep DynamoDB Local's data in <dir> (default: in memory); or DATA_DIR
  --mailbox-dir <dir>   write mails to <dir> (default ${LOCAL_DEFAULTS.mailboxDir}); or ${MAILBOX_DIR_ENV}
  --no-mail             run without the notifier: no stream, no mails
  -h, --help            show this help

Environment:
  PORT                           webhook port (default ${LOCAL_DEFAULTS.port})
  DYNAMODB_PORT                  DynamoDB Local port (default ${LOCAL_DEFAULTS.dynamoDbPort})
  SQS_PORT                       SQS emulator port (default ${LOCAL_DEFAULTS.sqsPort})
  TABLE_NAME                     table name (default ${LOCAL_DEFAULTS.tableName})
  ${SIGNING_SECRET_ENV}   one or more whsec_… separated by spaces or commas
                                 (default: a fresh secret, printed when ready)
  ${INSTANCE_IDS_ENV}             Clerk instance ids (ins_…, spaces or commas) whose events are
                                 queued; others are acknowledged and dropped (default: any)
  LOG_LEVEL                      level of the functions' JSON logs (default ${LOCAL_DEFAULTS.logLevel})
  ${MAILBOX_DIR_ENV}                    directory of the local mailbox (default ${LOCAL_DEFAULTS.mailboxDir})
`;

export function readLocalCommand(argv: readonly string[], env: NodeJS.ProcessEnv): LocalCommand {
  let dataDir = blankToUndefined(env.DATA_DIR);
  let mailboxDir: string | null | undefined = blankToUndefined(env[MAILBOX_DIR_ENV]);
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--data-dir' || arg.startsWith('--data-dir=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++index];
      if (!value) throw new ConfigurationError('--data-dir needs a directory');
      dataDir = value;
      continue;
    }
    if (arg === '--mailbox-dir' || arg.startsWith('--mailbox-dir=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++index];
      if (!value) throw new ConfigurationError('--mailbox-dir needs a directory');
      mailboxDir = value;
      continue;
    }
    if (arg === '--no-mail') {
      mailboxDir = null;
      continue;
    }
    throw new ConfigurationError(`unknown argument "${arg}"; see --help`);
  }

  const secretValue = blankToUndefined(env[SIGNING_SECRET_ENV]);
  let signingSecrets: string[];
  if (secretValue === undefined) {
    signingSecrets = [generateSigningSecret()];
  } else {
    try {
      signingSecrets = parseSigningSecrets(secretValue);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new InvalidSigningSecretError(`${SIGNING_SECRET_ENV}: ${reason}`, { cause: error });
    }
  }

  const instanceIds = blankToUndefined(env[INSTANCE_IDS_ENV]);
  return {
    kind: 'start',
    config: {
      port: portFrom(env, 'PORT', LOCAL_DEFAULTS.port),
      dynamoDbPort: portFrom(env, 'DYNAMODB_PORT', LOCAL_DEFAULTS.dynamoDbPort),
      sqsPort: portFrom(env, 'SQS_PORT', LOCAL_DEFAULTS.sqsPort),
      dataDir: dataDir === undefined ? null : path.resolve(dataDir),
      tableName: tableNameFrom(env),
      signingSecrets,
      secretOrigin: secretValue === undefined ? 'generated' : 'environment',
      logLevel: logLevelFrom(env),
      ...(instanceIds === undefined ? {} : { allowedInstanceIds: parseInstanceIds(instanceIds, INSTANCE_IDS_ENV) }),
      ...(mailboxDir === undefined ? {} : { mailboxDir: mailboxDir === null ? null : path.resolve(mailboxDir) }),
    },
  };
}

/** A secret in Svix's format: `whsec_` and the base64 of a random 24-byte key. */
export function generateSigningSecret(): string {
  return `${SIGNING_SECRET_PREFIX}${randomBytes(24).toString('base64')}`;
}

function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = blankToUndefined(env[name]);
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigurationError(`${name} must be a port number from 0 to 65535 (0 picks a free one), got "${raw}"`);
  }
  return port;
}

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export type LocalLogLevel = (typeof LOG_LEVELS)[number];

/** Powertools would silently fall back to INFO on a typo and flood the console. */
function logLevelFrom(env: NodeJS.ProcessEnv): LocalLogLevel {
  const raw = blankToUndefined(env.LOG_LEVEL) ?? LOCAL_DEFAULTS.logLevel;
  const level = LOG_LEVELS.find((candidate) => candidate === raw.toUpperCase());
  if (level === undefined) throw new ConfigurationError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return level;
}

function tableNameFrom(env: NodeJS.ProcessEnv): string {
  const name = blankToUndefined(env.TABLE_NAME) ?? LOCAL_DEFAULTS.tableName;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name)) {
    throw new ConfigurationError(`TABLE_NAME must be 3 to 255 letters, digits, "_", "-" or ".", got "${name}"`);
  }
  return name;
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
