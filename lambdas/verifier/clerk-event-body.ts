import type { ClerkEventEnvelope } from '../shared/clerk-events';
import { MalformedWebhookBodyError } from '../shared/errors';

/**
 * Parses an authenticated body. Only the envelope is checked here (an object with a string `type`
 * and an object `data`); what an event type needs is the processor's business. Error messages
 * never quote the body: it may hold personal data.
 */
export function parseClerkEvent(raw: Buffer): ClerkEventEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new MalformedWebhookBodyError('body is not valid JSON');
  }
  if (!isObject(parsed)) {
    throw new MalformedWebhookBodyError('body is not a Clerk event: expected a JSON object');
  }
  if (typeof parsed.type !== 'string' || parsed.type === '') {
    throw new MalformedWebhookBodyError('body is not a Clerk event: "type" must be a non-empty string');
  }
  if (!isObject(parsed.data)) {
    throw new MalformedWebhookBodyError('body is not a Clerk event: "data" must be an object');
  }
  return parsed as unknown as ClerkEventEnvelope;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
