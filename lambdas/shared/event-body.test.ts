import fc from 'fast-check';
import { MalformedWebhookBodyError } from './errors';
import { EVENT_BODY_LIMITS, MAX_EVENT_BODY_DEPTH, nestsDeeperThan, parseEventBody } from './event-body';

const parse = (text: string) => parseEventBody(text, EVENT_BODY_LIMITS);

/** A Clerk event whose metadata nests `depth` levels below the envelope's `data` (the envelope is level 1). */
function eventNested(depth: number): string {
  const metadata = '{"a":'.repeat(depth - 2) + '1' + '}'.repeat(depth - 2);
  return `{"type":"user.updated","data":{"id":"user_1","unsafe_metadata":${metadata}}}`;
}

describe('parseEventBody', () => {
  it('returns the envelope with unknown fields intact', () => {
    const body = '{"type":"email.created","data":{"id":"ema_1"},"object":"event","extra":[1]}';
    expect(parse(body)).toEqual(JSON.parse(body));
  });

  it.each([
    ['not JSON', 'name=Ada%20Lovelace', 'body is not valid JSON'],
    ['an array', '[]', 'body is not a Clerk event: expected a JSON object'],
    ['null', 'null', 'body is not a Clerk event: expected a JSON object'],
    ['no type', '{"data":{}}', 'body is not a Clerk event: "type" must be a non-empty string'],
    ['an empty type', '{"type":"","data":{}}', 'body is not a Clerk event: "type" must be a non-empty string'],
    ['a numeric type', '{"type":1,"data":{}}', 'body is not a Clerk event: "type" must be a non-empty string'],
    // SQS refuses such characters in the eventType attribute: the verifier would answer 503 forever.
    ['a type with characters SQS refuses', '{"type":"user.\\uffff","data":{}}', 'body is not a Clerk event: "type" must be 1 to 128 letters, digits, ".", "_" or "-"'],
    ['a 129-character type', `{"type":"${'a'.repeat(129)}","data":{}}`, 'body is not a Clerk event: "type" must be 1 to 128 letters, digits, ".", "_" or "-"'],
    ['no data', '{"type":"user.created"}', 'body is not a Clerk event: "data" must be an object'],
    ['array data', '{"type":"user.created","data":[]}', 'body is not a Clerk event: "data" must be an object'],
  ])('rejects %s without quoting the body', (_label, body, message) => {
    expect(() => parse(body)).toThrow(new MalformedWebhookBodyError(message));
  });

  it(`reads bodies nested ${MAX_EVENT_BODY_DEPTH} levels deep and refuses deeper ones, such as the 4,200 levels that overflowed JSON.stringify`, () => {
    expect(parse(eventNested(MAX_EVENT_BODY_DEPTH)).type).toBe('user.updated');
    for (const depth of [MAX_EVENT_BODY_DEPTH + 1, 4_200]) {
      expect(() => parse(eventNested(depth))).toThrow(
        new MalformedWebhookBodyError(`body nests objects and arrays deeper than ${MAX_EVENT_BODY_DEPTH} levels`),
      );
    }
  });

  it('refuses a body larger than its size bound, counting UTF-8 bytes', () => {
    const body = '{"type":"user.created","data":{"name":"€€€"}}';
    const bytes = Buffer.byteLength(body);
    expect(parseEventBody(body, { maxBytes: bytes, maxDepth: 8 }).type).toBe('user.created');
    expect(() => parseEventBody(body, { maxBytes: bytes - 1, maxDepth: 8 })).toThrow(
      new MalformedWebhookBodyError(`body is ${bytes} bytes; at most ${bytes - 1} bytes are parsed`),
    );
  });
});

describe('nestsDeeperThan', () => {
  /** The reference: the depth of the parsed value. */
  function depthOf(value: unknown): number {
    if (typeof value !== 'object' || value === null) return 0;
    const children = Object.values(value as Record<string, unknown>);
    return 1 + children.reduce<number>((deepest, child) => Math.max(deepest, depthOf(child)), 0);
  }

  it('ignores brackets and escaped quotes inside strings', () => {
    const text = JSON.stringify({ a: '[[[{{{', b: 'say \\"{[\\" ok', c: [{ d: '"]]]' }] });
    expect(nestsDeeperThan(text, 3)).toBe(false);
    expect(nestsDeeperThan(text, 2)).toBe(true);
  });

  it('agrees with the depth of the parsed value on any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), fc.integer({ min: 0, max: 14 }), (value, maxDepth) => {
        expect(nestsDeeperThan(JSON.stringify(value), maxDepth)).toBe(depthOf(value) > maxDepth);
      }),
      { numRuns: 500 },
    );
  });
});
