/**
 * Command-line flags as the scripts read them: `--flag value` and `--flag=value`, switches,
 * `-h`/`--help` anywhere, and a usage error of the command's own class for anything else.
 * Flags are read in order, so the first mistake on the line is the one reported.
 */

/** Throws the command's usage error; readers get it so their messages reach the user as usage errors (exit 2). */
export type Fail = (message: string) => never;

/** Turns a raw value into the option's value, or calls `fail` with what is wrong. */
export type ValueReader<T> = (raw: string, flag: string, fail: Fail) => T;

export interface ValueFlag<T> {
  readonly flag: string;
  readonly read: ValueReader<T>;
}

export interface SwitchFlag {
  readonly flag: string;
  readonly read?: undefined;
}

export type FlagSpec = Readonly<Record<string, ValueFlag<unknown> | SwitchFlag>>;

/** A switch is true when given; a value flag is undefined until given, the last one wins. */
export type FlagValues<S extends FlagSpec> = {
  -readonly [K in keyof S]: S[K] extends ValueFlag<infer T> ? T | undefined : boolean;
};

export function switchFlag(flag: string): SwitchFlag {
  return { flag };
}

export function valueFlag<T = string>(flag: string, read: ValueReader<T> = text as ValueReader<T>): ValueFlag<T> {
  return { flag, read };
}

export interface ParseRules {
  readonly usageError: new (message: string) => Error;
  /**
   * Values are trimmed, and a blank value or a next argument that is itself a flag
   * (`--table --dry-run`: a value forgotten) is refused. Otherwise only a missing or empty value is.
   */
  readonly strictValues?: boolean;
  /** Receives the arguments that are not flags; without it they are refused. */
  readonly onArgument?: (arg: string) => void;
  /** The message for an unknown flag. @default `unknown option "<flag>"; see --help` */
  readonly unknownOption?: (flag: string) => string;
}

export function failWith(usageError: new (message: string) => Error): Fail {
  return (message) => {
    throw new usageError(message);
  };
}

/** Reads argv against the spec; 'help' as soon as -h or --help comes. */
export function parseFlags<S extends FlagSpec>(argv: readonly string[], spec: S, rules: ParseRules): FlagValues<S> | 'help' {
  const fail = failWith(rules.usageError);
  const byFlag = new Map(Object.entries(spec).map(([key, entry]) => [entry.flag, { key, entry }]));
  const values: Record<string, unknown> = Object.fromEntries(Object.entries(spec).map(([key, entry]) => [key, entry.read === undefined ? false : undefined]));
  for (let index = 0; index < argv.length; index += 1) {
    const [flag, inline] = splitInline(argv[index]!);
    if (flag === '-h' || flag === '--help') return 'help';
    const known = byFlag.get(flag);
    if (known === undefined) {
      if (rules.onArgument !== undefined && !flag.startsWith('-')) {
        rules.onArgument(flag);
        continue;
      }
      fail(rules.unknownOption?.(flag) ?? `unknown ${flag.startsWith('-') ? 'option' : 'argument'} "${flag}"; see --help`);
    }
    const { key, entry } = known!;
    if (entry.read === undefined) {
      values[key] = true;
      continue;
    }
    const next = inline ?? argv[++index];
    const missing = rules.strictValues
      ? next === undefined || next.trim() === '' || (inline === undefined && next.startsWith('--'))
      : next === undefined || next === '';
    if (missing) fail(`${flag} needs a value`);
    values[key] = entry.read(rules.strictValues ? next!.trim() : next!, flag, fail);
  }
  return values as FlagValues<S>;
}

function splitInline(arg: string): [flag: string, inline: string | undefined] {
  const equals = arg.indexOf('=');
  return arg.startsWith('--') && equals >= 0 ? [arg.slice(0, equals), arg.slice(equals + 1)] : [arg, undefined];
}

// --- Readers ------------------------------------------------------------------------------

export const text: ValueReader<string> = (raw) => raw;

export const url: ValueReader<string> = (raw, flag, fail) => {
  try {
    new URL(raw);
  } catch {
    fail(`${flag} "${raw}" is not a URL`);
  }
  return raw;
};

export const httpUrl: ValueReader<string> = (raw, flag, fail) => {
  const { protocol } = new URL(url(raw, flag, fail));
  if (protocol !== 'https:' && protocol !== 'http:') fail(`${flag} "${raw}" is not an http(s) URL`);
  return raw;
};

/** An IAM role's ARN, any partition: `arn:aws:iam::123456789012:role/Name` (paths included). */
export const roleArn: ValueReader<string> = (raw, flag, fail) => {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(raw)) fail(`${flag} "${raw}" is not the ARN of an IAM role`);
  return raw;
};

const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;

/** A DynamoDB table name, as DynamoDB allows it. */
export const tableName: ValueReader<string> = (raw, flag, fail) => {
  if (!TABLE_NAME_PATTERN.test(raw)) fail(`${flag} must be a table name (3 to 255 letters, digits, "_", "-" or "."), got "${raw}"`);
  return raw;
};

/** Whole numbers from 1; with a maximum the message names the range. */
export function positiveInteger(maximum?: number): ValueReader<number> {
  return (raw, flag, fail) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || (maximum !== undefined && value > maximum)) {
      fail(maximum === undefined ? `${flag} must be a positive integer, got "${raw}"` : `${flag} must be an integer from 1 to ${maximum}, got "${raw}"`);
    }
    return value;
  };
}

/** An environment variable set to only blanks counts as unset. */
export function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
