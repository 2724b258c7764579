import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createVerifierHandler, type VerifierHandler } from '../../lambdas/verifier/create-verifier-handler';
import { staticSecretSource } from '../../lambdas/verifier/signing-secrets';
import { CapturingLogger } from '../support/capturing-logger';
import {
  httpEvent,
  newSigningSecret,
  signedRequest,
  userCreatedBody,
} from '../support/signed-request';
import type { QueuedEvent } from '../../lambdas/shared/queued-event';
import { createQueues } from '../../local/create-resources';
import { localSqs, uniqueName } from '../support/local-clients';

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
  const secret = newSigningSecret();
  let queueUrl: string;
  let logger: CapturingLogger;
  let handle: VerifierHandler;

  beforeEach(async () => {
    ({ queueUrl } = await createQueues(sqs, uniqueName('verifier')));
    logger = new CapturingLogger();
    handle = createVerifierHandler({
      sqs,
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
          version: 1,
          svixId: 'msg_2abc',
          svixTimestamp: Math.floor(NOW / 1000),
          receivedAt: new Date(NOW).toISOString(),
          event: JSON.parse(body),
        },
        attributes: { svixId: 'msg_2abc', eventType: 'user.created' },
      },
    ]);
    expect(logger.lines).toEqual([
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
    expect(message!.body.event).toEqual(JSON.parse(body));
    expect(message!.attributes).toEqual({ svixId: 'msg_b64', eventType: 'organization.created' });
  });

  it('accepts a delivery signed with either secret of a rotation overlap', async () => {
    const next = newSigningSecret();
    const rotating = createVerifierHandler({
      sqs,
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
    expect(logger.lines.map((line) => line.svixId)).toEqual(['msg_first', undefined]);
  });
});
