import { type ClerkEventEnvelope, MODELLED_EVENT_TYPES } from './clerk-events';
import { MalformedWebhookBodyError } from './errors';
import { SQS_MAX_MESSAGE_BYTES } from './queued-event';

/**
 * Reading a webhook body as JSON: the verifier does it on the received bytes, the processor on
 * the bytes it finds in the queue message. One function, one set of bounds, so whatever the
 * verifier accepted the processor can read, and neither ever walks an unbounded structure.
 */

export interface EventBodyLimits {
  /** Largest body, UTF-8 bytes. */
  readonly maxBytes: number;
  /** Deepest nesting of objects and arrays (the envelope itself is level 1). */
  readonly maxDepth: number;
}

/**
 * Clerk's own objects nest at most 5 levels; only metadata (the app's or its users' own JSON)
 * goes deeper. 128 leaves room for any sane metadata and stays far below the ~4,000 levels at
 * which recursive code (JSON.stringify, marshallers, loggers) overflows the stack.
 */
export const MAX_EVENT_BODY_DEPTH = 128;

/**
 * The bounds both functions parse with. The size bound is what a queue message can hold: the
 * verifier refuses larger bodies long before (maxBodyBytes, 413), so it only guards the processor.
 */
export const EVENT_BODY_LIMITS: EventBodyLimits = { maxBytes: SQS_MAX_MESSAGE_BYTES, maxDepth: MAX_EVENT_BODY_DEPTH };

/** Event type names as Clerk writes them (`organizationMembership.created`); also what SQS accepts as an attribute value. */
const EVENT_TYPE_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
/** Names known to pass, looked up rather than matched: most events are of these types, and every request pays for the check. */
const KNOWN_TYPES: ReadonlySet<string> = new Set(MODELLED_EVENT_TYPES);

/**
 * Parses a webhook body within `limits` and checks the envelope: an object with an event type
 * name in `type` and an object in `data`; what an event type needs is the processor's business.
 * Throws MalformedWebhookBodyError; its messages never quote the body, which may hold personal data.
 */
export function parseEventBody(text: string, limits: EventBodyLimits): ClerkEventEnvelope {
  // A UTF-16 code unit takes at most 3 bytes in UTF-8: most bodies need no counting.
  if (text.length * 3 > limits.maxBytes) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > limits.maxBytes) {
      throw new MalformedWebhookBodyError(`body is ${bytes} bytes; at most ${limits.maxBytes} bytes are parsed`);
    }
  }
  if (nestsDeeperThan(text, limits.maxDepth)) {
    throw new MalformedWebhookBodyError(`body nests objects and arrays deeper than ${limits.maxDepth} levels`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new MalformedWebhookBodyError('body is not valid JSON');
  }
  if (!isObject(parsed)) {
    throw new MalformedWebhookBodyError('body is not a Clerk event: expected a JSON object');
  }
  if (typeof parsed.type !== 'string' || parsed.type === '') {
    throw new MalformedWebhookBodyError('body is not a Clerk event: "type" must be a non-empty string');
  }
  if (!KNOWN_TYPES.has(parsed.type) && !EVENT_TYPE_NAME.test(parsed.type)) {
    throw new MalformedWebhookBodyError('body is not a Clerk event: "type" must be 1 to 128 letters, digits, ".", "_" or "-"');
  }
  if (!isObject(parsed.data)) {
    throw new MalformedWebhookBodyError('body is not a Clerk event: "data" must be an object');
  }
  return parsed as unknown as ClerkEventEnvelope;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether JSON text nests objects and arrays deeper than `maxDepth`. The depth can be no more than
 * the number of `{` and `[` in the text, which `indexOf` counts at memory speed; most bodies stop
 * there. Only text with more of them is scanned character by character, skipping strings.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  return openersReach(text, maxDepth + 1) && scannedDepthExceeds(text, maxDepth);
}

function openersReach(text: string, limit: number): boolean {
  let count = 0;
  for (let at = text.indexOf('{'); at !== -1; at = text.indexOf('{', at + 1)) if (++count >= limit) return true;
  for (let at = text.indexOf('['); at !== -1; at = text.indexOf('[', at + 1)) if (++count >= limit) return true;
  return false;
}

function scannedDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === BACKSLASH) index += 1;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return false;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
