import { toEpochMillis, type EpochMillis } from '../shared/clerk-events';
import { MalformedEventError } from '../shared/errors';
import { isoFromMillis } from '../shared/table-schema';

/**
 * Defensive readers for webhook payload fields. Clerk nulls or omits optional fields and
 * adds new ones over time, so an optional field of an unexpected shape reads as absent
 * (the rest of the event still applies); only fields the table cannot do without throw.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, else `undefined`: null, "", numbers and objects are all "absent". */
export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

// Date's own limit: beyond it toISOString throws.
const MAX_DATE_MILLIS = 8.64e15;

/** Epoch ms from a number in seconds or milliseconds, else `undefined`. */
export function optionalMillis(value: unknown): EpochMillis | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  const millis = toEpochMillis(value);
  return millis <= MAX_DATE_MILLIS ? millis : undefined;
}

/** ISO-8601 UTC, the table's time format, from a Clerk epoch time; `undefined` when absent or invalid. */
export function optionalIso(value: unknown): string | undefined {
  const millis = optionalMillis(value);
  return millis === undefined ? undefined : isoFromMillis(millis);
}

/** A string list (permissions), dropping entries of any other type; `undefined` when not a list. */
export function optionalStringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : undefined;
}

/** Names the missing field and the event type, never the value (it may be personal data). */
export function requireString(value: unknown, field: string, eventType: string): string {
  const text = optionalString(value);
  if (text === undefined) throw new MalformedEventError(`${eventType}: ${field} is missing or not a non-empty string`);
  return text;
}

export function requireMillis(value: unknown, field: string, eventType: string): EpochMillis {
  const millis = optionalMillis(value);
  if (millis === undefined) throw new MalformedEventError(`${eventType}: ${field} is missing or not an epoch time`);
  return millis;
}

export function requireRecord(value: unknown, field: string, eventType: string): Record<string, unknown> {
  if (!isRecord(value)) throw new MalformedEventError(`${eventType}: ${field} is missing or not an object`);
  return value;
}

/** Copies only the defined values, so an item never carries an `undefined` or `null` attribute. */
export function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined && entry !== null)) as T;
}
