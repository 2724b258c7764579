import { DeleteMessageCommand, type Message, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createHmac } from 'node:crypto';
import { decodeQueuedEvent } from '../../lambdas/processor/decode-queued-event';
import { createVerifierHandler, type VerifierDeps, type VerifierHandler } from '../../lambdas/verifier/create-verifier-handler';
import type { MessageSender } from '../../lambdas/verifier/enqueue-event';
import { type SigningSecretSource, staticSecretSource } from '../../lambdas/verifier/signing-secrets';
import { parseSourceIpAllowList } from '../../lambdas/verifier/source-ip-allow-list';
import type { WebhookOutcome } from '../../lambdas/verifier/webhook-outcome';
import { CapturingLogger } from '../support/capturing-logger';
import {
  httpEvent,
  newSigningSecret,
  signedRequest,
  userCreatedBody,
} from '../support/signed-request';
import type { QueuedEvent } from '../../lambdas/shared/queued-event';
import { sampleEvent } from '../../lambdas/shared/sample-events';
import { createQueues } from '../../local/create-resources';
import { localQueueSender, localSqs, uniqueName } from '../support/local-clients';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0, 250);
const MAX_BODY_BYTES = 4096;

interface Received {
  readonly body: QueuedEvent;
  readonly attributes: Record<string, string | undefined>;
}

async function receiveAll(sqs: SQSClient, queueUrl: string): Promise<Received[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
  );
  return Messages.map((message) => ({
    body: JSON.parse(message.Body!) as QueuedEvent,
    attributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
    ),
  }));
}

describe('verifier handler with the SQS emulator', () => {
  const sqs = localSqs();
  const queue = localQueueSender();
  const secret = newSigningSecret();
  let queueUrl: string;
  let logger: CapturingLogger;
  let handle: VerifierHandler;

  beforeEach(async () => {
    ({ queueUrl } = await createQueues(sqs, uniqueName('verifier')));
    logger = new CapturingLogger();
    handle = createVerifierHandler({
      queue,
      queueUrl,
      secrets: staticSecretSource([secret]),
      maxBodyBytes: MAX_BODY_BYTES,
      now: () => NOW,
      logger,
    });
  });

  it('queues a verified event with its attributes and only then answers 200', async () => {
    const body = userCreatedBody('user_2abc', 'ada.lovelace@example.com');
    const response = await handle(signedRequest({ secrets: [secret], body, svixId: 'msg_2abc', at: NOW }));

    expect(response).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"received":true}',
    });
    expect(await receiveAll(sqs, queueUrl)).toEqual([
      {
        body: {
          version: 2,
          svixId: 'msg_2abc',
          svixTimestamp: Math.floor(NOW / 1000),
          receivedAt: new Date(NOW).toISOString(),
          body,
          bodyEncoding: 'utf8',
        },
        attributes: { svixId: 'msg_2abc', eventType: 'user.created' },
      },
    ]);
    expect(logger.lines).toEqual([
      // The first event of an instance, without an instance allow-list.
      expect.objectContaining({ level: 'WARN', instanceId: 'ins_1', svixId: 'msg_2abc' }),
      expect.objectContaining({
        level: 'INFO',
        message: 'webhook accepted',
        svixId: 'msg_2abc',
        eventType: 'user.created',
        bodyBytes: Buffer.byteLength(body),
        service: 'clerk-webhook-verifier-test',
      }),
    ]);
    for (const forbidden of [secret, secret.slice(6), 'ada.lovelace@example.com', 'Lovelace']) {
      expect(logger.text()).not.toContain(forbidden);
    }
  });

  it('verifies the exact bytes of a base64 body sent with webhook-* headers', async () => {
    // Whitespace, key order and escapes as sent: re-serialising would change the bytes and break the signature.
    const body = '{ "type" : "organization.created",\n  "data": {"id":"org_1","name":"Zo\\u00eb & Co 🚀"},"object":"event" }';
    const response = await handle(
      signedRequest({ secrets: [secret], body, svixId: 'msg_b64', at: NOW, base64: true, headerStyle: 'webhook' }),
    );
    expect(response.statusCode).toBe(200);
    const [message] = await receiveAll(sqs, queueUrl);
    // The queue holds the verified text itself, not a re-serialisation of it.
    expect(message!.body).toMatchObject({ version: 2, body, bodyEncoding: 'utf8' });
    expect(decodeQueuedEvent(JSON.stringify(message!.body)).event).toEqual(JSON.parse(body));
    expect(message!.attributes).toEqual({ svixId: 'msg_b64', eventType: 'organization.created' });
  });

  it('queues, byte for byte, the body and attributes the AWS SDK queued before', async () => {
    // How enqueueEvent sent until the verifier had its own client: SendMessageCommand with the same input.
    const sdkSender: MessageSender = {
      async sendMessage({ queueUrl: url, body, attributes }) {
        const MessageAttributes = Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]));
        const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes }));
        return { messageId: MessageId! };
      },
    };
    const { queueUrl: sdkQueueUrl } = await createQueues(sqs, uniqueName('verifier-sdk'));
    const viaSdk = createVerifierHandler({ queue: sdkSender, queueUrl: sdkQueueUrl, secrets: staticSecretSource([secret]), maxBodyBytes: MAX_BODY_BYTES, now: () => NOW, logger });
    const bodies = [
      userCreatedBody('user_2abc', 'ada.lovelace@example.com'),
      // Escapes, characters SQS refuses raw (escaped by toSqsSafeJson), emoji, spacing as sent.
      '{ "type" : "user.updated",\n "data": {"id":"user_2x","bio":"Zo\\u00eb \\u0001 \uFFFF 🚀 \\"q\\" \\t"} }',
    ];
    const raw = async (url: string): Promise<Message[]> =>
      (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }))).Messages ?? [];
    const wire = ({ Body, MD5OfBody, MessageAttributes, MD5OfMessageAttributes }: Message) => ({ Body, MD5OfBody, MessageAttributes, MD5OfMessageAttributes });
    for (const [index, body] of bodies.entries()) {
      const request = signedRequest({ secrets: [secret], body, svixId: `msg_wire${index}`, at: NOW });
      expect((await handle(request)).statusCode).toBe(200);
      expect((await viaSdk(request)).statusCode).toBe(200);
      const [ours] = await raw(queueUrl);
      const [sdks] = await raw(sdkQueueUrl);
      expect(wire(ours!)).toEqual(wire(sdks!));
      expect(ours!.MessageAttributes).toEqual({
        svixId: { DataType: 'String', StringValue: `msg_wire${index}` },
        eventType: { DataType: 'String', StringValue: JSON.parse(body).type },
      });
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: ours!.ReceiptHandle! }));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: sdkQueueUrl, ReceiptHandle: sdks!.ReceiptHandle! }));
    }
  });

  it('accepts a delivery signed with either secret of a rotation overlap', async () => {
    const next = newSigningSecret();
    const rotating = createVerifierHandler({
      queue,
      queueUrl,
      secrets: staticSecretSource([secret, next]),
      maxBodyBytes: MAX_BODY_BYTES,
      now: () => NOW,
      logger,
    });
    const body = userCreatedBody();
    expect((await rotating(signedRequest({ secrets: [secret], body, svixId: 'msg_old', at: NOW }))).statusCode).toBe(200);
    expect((await rotating(signedRequest({ secrets: [next], body, svixId: 'msg_new', at: NOW }))).statusCode).toBe(200);
    const ids = (await receiveAll(sqs, queueUrl)).map((message) => message.body.svixId).sort();
    expect(ids).toEqual(['msg_new', 'msg_old']);
  });

  it('accepts a body of exactly MAX_BODY_BYTES and refuses one byte more', async () => {
    const event = userCreatedBody();
    const padded = (size: number) => event.slice(0, -1) + ' '.repeat(size - Buffer.byteLength(event)) + '}';
    const atLimit = await handle(
      signedRequest({ secrets: [secret], body: padded(MAX_BODY_BYTES), at: NOW, base64: true }),
    );
    expect(atLimit.statusCode).toBe(200);
    const over = await handle(signedRequest({ secrets: [secret], body: padded(MAX_BODY_BYTES + 1), at: NOW }));
    expect(over.statusCode).toBe(413);
    expect(JSON.parse(over.body!)).toEqual({ error: `body is ${MAX_BODY_BYTES + 1} bytes; at most ${MAX_BODY_BYTES} bytes are accepted` });
    expect(await receiveAll(sqs, queueUrl)).toHaveLength(1);
  });

  const body = userCreatedBody();
  const valid = () => signedRequest({ secrets: [secret], body, svixId: 'msg_bad', at: NOW });
  const withHeaders = (headers: Record<string, string | undefined>) => {
    const request = valid();
    return { ...request, headers: Object.fromEntries(Object.entries({ ...request.headers, ...headers }).filter(([, v]) => v !== undefined)) as Record<string, string> };
  };

  it.each([
    ['a GET', () => ({ ...valid(), requestContext: { ...valid().requestContext, http: { ...valid().requestContext.http, method: 'GET' } } }), 405, 'method GET is not allowed; Svix sends POST'],
    ['a missing signature header', () => withHeaders({ 'svix-signature': undefined }), 400, 'missing header svix-signature (or webhook-signature)'],
    ['a missing id header', () => withHeaders({ 'svix-id': undefined }), 400, 'missing header svix-id (or webhook-id)'],
    ['a non-numeric timestamp', () => withHeaders({ 'svix-timestamp': 'yesterday' }), 400, 'svix-timestamp must be the signing time in epoch seconds (digits only)'],
    ['a signature without v1', () => withHeaders({ 'svix-signature': 'v2,abc' }), 400, 'svix-signature has no "v1,<base64>" entry'],
    ['another secret', () => signedRequest({ secrets: [newSigningSecret()], body, at: NOW }), 401, 'no signature matched: check the signing secret'],
    ['a tampered body', () => ({ ...valid(), body: body.replace('user_2abc', 'user_evil') }), 401, 'no signature matched: check the signing secret'],
    ['a 6-minute-old signature', () => signedRequest({ secrets: [secret], body, at: NOW - 360_000 }), 401, 'svix-timestamp is 360 s in the past; at most 300 s is accepted (Svix re-signs every retry and replay, so this is a captured old request or a wrong clock)'],
    ['a signed body that is not a Clerk event', () => signedRequest({ secrets: [secret], body: '{"type":"user.created"}', at: NOW }), 400, 'body is not a Clerk event: "data" must be an object'],
    ['a signed body that is not JSON', () => signedRequest({ secrets: [secret], body: 'hello', at: NOW }), 400, 'body is not valid JSON'],
    // Order of checks: size before headers, signature before parsing.
    ['an oversized unsigned body', () => httpEvent({ headers: {}, body: 'x'.repeat(MAX_BODY_BYTES + 1) }), 413, `body is ${MAX_BODY_BYTES + 1} bytes; at most ${MAX_BODY_BYTES} bytes are accepted`],
    ['unsigned non-JSON', () => ({ ...signedRequest({ secrets: [newSigningSecret()], body: 'hello', at: NOW }) }), 401, 'no signature matched: check the signing secret'],
    ['an expired and forged request', () => signedRequest({ secrets: [newSigningSecret()], body, at: NOW + 400_000 }), 401, 'svix-timestamp is 400 s in the future; at most 300 s is accepted (check the sender\'s clock)'],
  ])('refuses %s with a reason and queues nothing', async (_label, request, statusCode, reason) => {
    const response = await handle(request());
    expect(response.statusCode).toBe(statusCode);
    expect(response.headers).toEqual(expect.objectContaining({ 'content-type': 'application/json' }));
    expect(JSON.parse(response.body!)).toEqual({ error: reason });
    expect(await receiveAll(sqs, queueUrl)).toEqual([]);
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'WARN', message: 'webhook rejected', statusCode, reason })]);
    expect(logger.text()).not.toContain(secret.slice(6));
    expect(logger.text()).not.toContain('ada.lovelace@example.com');
  });

  it('does not carry one request\'s svixId into the next request\'s logs', async () => {
    await handle(signedRequest({ secrets: [secret], body, svixId: 'msg_first', at: NOW }));
    await handle(httpEvent({ headers: {}, body }));
    const outcomeLines = logger.lines.filter((line) => line.message === 'webhook accepted' || line.message === 'webhook rejected');
    expect(outcomeLines.map((line) => line.svixId)).toEqual(['msg_first', undefined]);
  });
});

/** A signature over raw bytes, for bodies svix's `sign` (which takes a string) cannot express. */
function signBytes(secret: string, id: string, atMs: number, bytes: Buffer): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const digest = createHmac('sha256', key).update(`${id}.${Math.floor(atMs / 1000)}.`).update(bytes).digest('base64');
  return `v1,${digest}`;
}

/** A secret source that counts how often it is asked: a request refused before authentication never asks. */
function countingSource(secret: string): SigningSecretSource & { readonly calls: () => number } {
  const inner = staticSecretSource([secret]);
  let calls = 0;
  return {
    getSecrets: (options) => {
      calls += 1;
      return inner.getSecrets(options);
    },
    calls: () => calls,
  };
}

describe('verifier handler: bodies that can only fail, ids and signatures that are too many or too long', () => {
  const sqs = localSqs();
  const queue = localQueueSender();
  const secret = newSigningSecret();
  let queueUrl: string;
  let logger: CapturingLogger;
  let secrets: ReturnType<typeof countingSource>;
  let outcomes: WebhookOutcome[];
  let handle: VerifierHandler;

  beforeEach(async () => {
    ({ queueUrl } = await createQueues(sqs, uniqueName('verifier-bounds')));
    logger = new CapturingLogger();
    secrets = countingSource(secret);
    outcomes = [];
    handle = createVerifierHandler({
      queue,
      queueUrl,
      secrets,
      maxBodyBytes: 256 * 1024,
      now: () => NOW,
      logger,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
  });

  it('refuses (400, not 503) a signed body nested 4,200 levels deep, which no retry could ever queue', async () => {
    const body = `{"type":"user.updated","data":{"id":"user_2deep","unsafe_metadata":${'{"a":'.repeat(4_200)}1${'}'.repeat(4_200)}}}`;
    const response = await handle(signedRequest({ secrets: [secret], body, svixId: 'msg_deep', at: NOW }));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body!)).toEqual({ error: 'body nests objects and arrays deeper than 128 levels' });
    expect(outcomes).toEqual([expect.objectContaining({ result: 'rejected', rejection: 'body', svixId: 'msg_deep' })]);
    expect(await receiveAll(sqs, queueUrl)).toEqual([]);
  });

  it('queues the verified bytes exactly, as base64 when they are not valid UTF-8, and the processor reads them', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"type":"user.updated","data":{"id":"user_2bytes","first_name":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}}'),
    ]);
    const request = httpEvent({
      headers: { 'svix-id': 'msg_bytes', 'svix-timestamp': String(Math.floor(NOW / 1000)), 'svix-signature': signBytes(secret, 'msg_bytes', NOW, bytes) },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });
    expect((await handle(request)).statusCode).toBe(200);
    const [message] = await receiveAll(sqs, queueUrl);
    expect(message!.body).toMatchObject({ version: 2, bodyEncoding: 'base64' });
    expect(Buffer.from((message!.body as unknown as { body: string }).body, 'base64').equals(bytes)).toBe(true);
    expect(decodeQueuedEvent(JSON.stringify(message!.body)).event).toMatchObject({ type: 'user.updated', data: { id: 'user_2bytes' } });
  });

  it('refuses an 8 KB svix-id with 400 before reading any secret, and never logs it', async () => {
    const longId = `msg_${'A'.repeat(8_192)}`;
    const response = await handle(signedRequest({ secrets: [secret], body: userCreatedBody(), svixId: longId, at: NOW }));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body!)).toEqual({ error: 'svix-id must be 1 to 128 letters, digits, "_", "-", "." or ":"' });
    expect(secrets.calls()).toBe(0);
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'WARN', message: 'webhook rejected', rejection: 'headers' })]);
    expect(logger.text()).not.toContain('A'.repeat(64));
    expect(outcomes).toEqual([expect.objectContaining({ result: 'rejected', svixId: undefined })]);
  });

  it('refuses more than 5 v1 signatures with 400 before reading any secret or computing any HMAC', async () => {
    const valid = signedRequest({ secrets: [secret], body: userCreatedBody(), svixId: 'msg_many', at: NOW });
    const forged = Array.from({ length: 200 }, (_, i) => `v1,${createHmac('sha256', String(i)).update('x').digest('base64')}`);
    const request = { ...valid, headers: { ...valid.headers, 'svix-signature': [...forged, valid.headers['svix-signature']].join(' ') } };
    const response = await handle(request);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body!)).toEqual({
      error: 'svix-signature has more than 5 "v1," signatures; Svix sends one, or two while a secret is rotated',
    });
    expect(secrets.calls()).toBe(0);
  });
});

describe('verifier handler: Clerk instances', () => {
  const sqs = localSqs();
  const queue = localQueueSender();
  const secret = newSigningSecret();
  let queueUrl: string;
  let logger: CapturingLogger;
  let outcomes: WebhookOutcome[];

  beforeEach(async () => {
    ({ queueUrl } = await createQueues(sqs, uniqueName('verifier-instances')));
    logger = new CapturingLogger();
    outcomes = [];
  });

  const handlerWith = (options: Pick<VerifierDeps, 'allowedInstanceIds'>) =>
    createVerifierHandler({
      queue,
      queueUrl,
      secrets: staticSecretSource([secret]),
      maxBodyBytes: 256 * 1024,
      now: () => NOW,
      logger,
      onOutcome: (outcome) => outcomes.push(outcome),
      ...options,
    });
  const eventOf = (instanceId: string | undefined, userId: string) => {
    const event = JSON.parse(userCreatedBody(userId)) as Record<string, unknown>;
    if (instanceId === undefined) delete event.instance_id;
    else event.instance_id = instanceId;
    return JSON.stringify(event);
  };
  const deliver = (handle: VerifierHandler, instanceId: string | undefined, svixId: string) =>
    handle(signedRequest({ secrets: [secret], body: eventOf(instanceId, `user_${svixId}`), svixId, at: NOW }));

  it('with an allow-list, acknowledges events of other instances (and without instance_id) but never queues them', async () => {
    const handle = handlerWith({ allowedInstanceIds: ['ins_2prod', 'ins_2prodEu'] });

    const foreign = await deliver(handle, 'ins_2dev', 'msg_dev');
    const missing = await deliver(handle, undefined, 'msg_none');
    const mine = await deliver(handle, 'ins_2prodEu', 'msg_prod');

    for (const ignored of [foreign, missing]) {
      expect(ignored.statusCode).toBe(200); // Svix stops retrying
      expect(JSON.parse(ignored.body!)).toEqual({ received: true, queued: false, reason: 'instance not allowed' });
    }
    expect(mine.statusCode).toBe(200);
    expect((await receiveAll(sqs, queueUrl)).map((message) => message.body.svixId)).toEqual(['msg_prod']);
    expect(outcomes.map((outcome) => [outcome.svixId, outcome.result])).toEqual([
      ['msg_dev', 'ignored'],
      ['msg_none', 'ignored'],
      ['msg_prod', 'accepted'],
    ]);
    expect(logger.lines.filter((line) => line.level === 'WARN')).toEqual([
      expect.objectContaining({ message: 'webhook of a Clerk instance not in the allow-list acknowledged, not queued', instanceId: 'ins_2dev', svixId: 'msg_dev', eventType: 'user.created' }),
      expect.objectContaining({ message: 'webhook of a Clerk instance not in the allow-list acknowledged, not queued', instanceId: '(none)', svixId: 'msg_none' }),
    ]);
  });

  it('acknowledges an authentic event of a type the table does not store, counts it, and never queues it', async () => {
    const handle = handlerWith({});
    const body = JSON.stringify(sampleEvent('email.created', { userId: 'user_2mail', email: 'm.one@example.com', at: NOW }));
    const unmodelled = await handle(signedRequest({ secrets: [secret], body, svixId: 'msg_email', at: NOW }));
    const stored = await deliver(handle, 'ins_2a', 'msg_user');
    const forged = await handle(signedRequest({ secrets: [newSigningSecret()], body, svixId: 'msg_forged', at: NOW }));

    expect(unmodelled.statusCode).toBe(200); // Svix stops retrying
    expect(JSON.parse(unmodelled.body!)).toEqual({ received: true, queued: false, reason: 'event type not modelled' });
    expect(stored.statusCode).toBe(200);
    // Authentication comes first: a forged body of any type is refused.
    expect(forged.statusCode).toBe(401);
    expect((await receiveAll(sqs, queueUrl)).map((message) => message.body.svixId)).toEqual(['msg_user']);
    expect(outcomes.map((outcome) => [outcome.svixId, outcome.result, outcome.eventType])).toEqual([
      ['msg_email', 'not-modelled', 'email.created'],
      ['msg_user', 'accepted', 'user.created'],
      ['msg_forged', 'rejected', undefined],
    ]);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'INFO', message: 'webhook of an event type the table does not store acknowledged, not queued', eventType: 'email.created', svixId: 'msg_email' }),
    );
  });

  it('without an allow-list, queues every instance and warns once per instance seen, naming it', async () => {
    const handle = handlerWith({});
    for (const [instanceId, svixId] of [['ins_2a', 'msg_1'], ['ins_2a', 'msg_2'], ['ins_2b', 'msg_3'], ['ins_2a', 'msg_4']] as const) {
      expect((await deliver(handle, instanceId, svixId)).statusCode).toBe(200);
    }
    expect((await receiveAll(sqs, queueUrl)).map((message) => message.body.svixId).sort()).toEqual(['msg_1', 'msg_2', 'msg_3', 'msg_4']);
    const warnings = logger.lines.filter((line) => line.level === 'WARN');
    expect(warnings).toEqual([
      expect.objectContaining({ message: 'events of this Clerk instance are accepted: no instance allow-list is set', instanceId: 'ins_2a' }),
      expect.objectContaining({ message: 'events of this Clerk instance are accepted: no instance allow-list is set', instanceId: 'ins_2b' }),
    ]);
  });
});

describe('verifier handler: source address allow-list', () => {
  const sqs = localSqs();
  const queue = localQueueSender();
  const secret = newSigningSecret();

  it('refuses (403) requests from elsewhere before reading any secret, and verifies those from Svix', async () => {
    const { queueUrl } = await createQueues(sqs, uniqueName('verifier-sources'));
    const secrets = countingSource(secret);
    const outcomes: WebhookOutcome[] = [];
    const handle = createVerifierHandler({
      queue,
      queueUrl,
      secrets,
      maxBodyBytes: 256 * 1024,
      allowedSourceIps: parseSourceIpAllowList('svix', 'test'),
      now: () => NOW,
      logger: new CapturingLogger(),
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    const from = (sourceIp: string, svixId: string) => {
      const request = signedRequest({ secrets: [secret], body: userCreatedBody(), svixId, at: NOW });
      return { ...request, requestContext: { ...request.requestContext, http: { ...request.requestContext.http, sourceIp } } };
    };

    const refused = await handle(from('192.0.2.1', 'msg_elsewhere'));
    expect(refused.statusCode).toBe(403);
    expect(JSON.parse(refused.body!)).toEqual({ error: 'source address 192.0.2.1 is not allowed' });
    expect(secrets.calls()).toBe(0);

    expect((await handle(from('44.228.126.217', 'msg_svix_v4'))).statusCode).toBe(200);
    expect((await handle(from('2600:1f24:64:8000::12', 'msg_svix_v6'))).statusCode).toBe(200);
    expect(outcomes.map((outcome) => [outcome.result, outcome.rejection])).toEqual([
      ['rejected', 'source'],
      ['accepted', undefined],
      ['accepted', undefined],
    ]);
  });
});
