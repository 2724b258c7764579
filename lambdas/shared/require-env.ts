import { ConfigurationError } from './errors';

/** Reads a required environment variable; a missing or blank value is a deployment bug, so fail loudly at cold start. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`environment variable ${name} is required but not set`);
  }
  return value;
}

/** Reads an optional positive integer environment variable, rejecting garbage instead of silently using NaN. */
export function optionalIntEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return positiveInteger(raw, `environment variable ${name}`);
}

/** Reads an optional `true` / `false` environment variable, rejecting anything else. */
export function optionalBooleanEnv(name: string, fallback: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'true' && raw !== 'false') throw new ConfigurationError(`environment variable ${name} must be "true" or "false", got "${raw}"`);
  return raw === 'true';
}

/**
 * The rule of every count-like setting (bytes, seconds, days): a whole number from 1. The same
 * check for an environment variable (a string) and for a construct prop (a number), so the
 * stack refuses at synth what the function would refuse at cold start. `source` names the setting.
 */
export function positiveInteger(raw: string | number, source: string): number {
  const value = Number(raw);
  if (!isPositiveInteger(value)) throw new ConfigurationError(`${source} must be a positive integer, got "${raw}"`);
  return value;
}

export function isPositiveInteger(value: number): boolean {
  return Number.isInteger(value) && value > 0;
}

/**
 * The entries of a list given as one string, separated by commas or whitespace (`a, b c`): how
 * every list setting is written, in the environment, in CDK context and in the signing secret.
 */
export function splitList(value: string): string[] {
  return value.split(/[\s,]+/).filter((entry) => entry !== '');
}

/** A blank value counts as unset. */
export function optionalString(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
