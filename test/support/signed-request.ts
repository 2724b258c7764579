import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'svix';

/** A fresh random Svix-format secret. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export interface SignedRequestOptions {
  /** Secrets to sign with; each adds one `v1,` entry (a sender mid-rotation). */
  readonly secrets: readonly string[];
  readonly body: string;
  readonly svixId?: string;
  /** Signing time, epoch ms. */
  readonly at: number;
  readonly headerStyle?: 'svix' | 'webhook';
  readonly base64?: boolean;
  readonly method?: string;
}

/** An HTTP API v2 event as API Gateway delivers Svix's POST, signed by svix's own library. */
export function signedRequest(options: SignedRequestOptions): APIGatewayProxyEventV2 {
  const svixId = options.svixId ?? `msg_${randomBytes(12).toString('hex')}`;
  const signature = options.secrets
    .map((secret) => new Webhook(secret).sign(svixId, new Date(options.at), options.body))
    .join(' ');
  const prefix = options.headerStyle === 'webhook' ? 'webhook' : 'svix';
  return httpEvent({
    headers: {
      'content-type': 'application/json',
      [`${prefix}-id`]: svixId,
      [`${prefix}-timestamp`]: String(Math.floor(options.at / 1000)),
      [`${prefix}-signature`]: signature,
    },
    body: options.base64 ? Buffer.from(options.body, 'utf8').toString('base64') : options.body,
    isBase64Encoded: options.base64 ?? false,
    method: options.method ?? 'POST',
  });
}

export function httpEvent(parts: {
  headers: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  method?: string;
}): APIGatewayProxyEventV2 {
  const method = parts.method ?? 'POST';
  return {
    version: '2.0',
    routeKey: `${method} /webhooks/clerk`,
    rawPath: '/webhooks/clerk',
    rawQueryString: '',
    headers: parts.headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path: '/webhooks/clerk', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'Svix-Webhooks/1.0' },
      requestId: 'request-1',
      routeKey: `${method} /webhooks/clerk`,
      stage: '$default',
      time: '01/Jan/2024:00:00:00 +0000',
      timeEpoch: 0,
    },
    body: parts.body,
    isBase64Encoded: parts.isBase64Encoded ?? false,
  };
}

/** POSTs a Clerk event to a webhook URL, signed now by svix's own library as Svix would; resolves with the status. */
export async function postSignedEvent(url: string, secret: string, event: unknown): Promise<number> {
  const svixId = `msg_${randomBytes(12).toString('hex')}`;
  const body = JSON.stringify(event);
  const now = new Date();
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'svix-id': svixId, 'svix-timestamp': String(Math.floor(now.getTime() / 1000)), 'svix-signature': new Webhook(secret).sign(svixId, now, body) },
  });
  return response.status;
}

/** A small realistic Clerk `user.created` body with personal data (to prove it is never logged). */
export function userCreatedBody(userId = 'user_2abc', email = 'ada.lovelace@example.com'): string {
  return JSON.stringify({
    data: {
      id: userId,
      object: 'user',
      first_name: 'Ada',
      last_name: 'Lovelace',
      email_addresses: [{ id: 'idn_1', email_address: email }],
      primary_email_address_id: 'idn_1',
      created_at: 1_700_000_000_000,
      updated_at: 1_700_000_000_000,
    },
    object: 'event',
    type: 'user.created',
    timestamp: 1_700_000_000_000,
    instance_id: 'ins_1',
  });
}
