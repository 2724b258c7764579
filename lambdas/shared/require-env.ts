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
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigurationError(`environment variable ${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}
