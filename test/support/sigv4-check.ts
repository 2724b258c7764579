import { createHash, createHmac } from 'node:crypto';
import type { RecordedRequest } from './aws-json-endpoint';

/**
 * What a SigV4 verifier on AWS's side checks, written out from the published algorithm with
 * node:crypto alone (not @smithy/signature-v4, the signer under test): the canonical request
 * rebuilt from what arrived, the string to sign, the signing key derived from the secret key,
 * and the signature they give compared with the one sent.
 */

export interface SigV4Check {
  readonly accessKeyId: string;
  readonly scope: { readonly date: string; readonly region: string; readonly service: string };
  readonly signedHeaders: readonly string[];
  readonly sentSignature: string;
  readonly expectedSignature: string;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

function headerValue(request: RecordedRequest, name: string): string {
  const value = request.headers[name];
  if (value === undefined) throw new Error(`signed header ${name} was not received`);
  return (Array.isArray(value) ? value.join(',') : value).trim().replace(/\s+/g, ' ');
}

export function checkSigV4(request: RecordedRequest, secretAccessKey: string): SigV4Check {
  const authorization = request.headers.authorization;
  const match = typeof authorization === 'string' ? AUTHORIZATION.exec(authorization) : null;
  if (!match) throw new Error(`not a SigV4 Authorization header: ${String(authorization)}`);
  const [, accessKeyId, date, region, service, signedHeaderList, sentSignature] = match as unknown as string[];
  const signedHeaders = signedHeaderList!.split(';');
  const amzDate = headerValue(request, 'x-amz-date');
  const url = new URL(request.path, 'http://placeholder');
  const canonicalRequest = [
    request.method,
    url.pathname,
    '', // no query string
    ...signedHeaders.map((name) => `${name}:${headerValue(request, name)}`),
    '',
    signedHeaders.join(';'),
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date!), region!), service!), 'aws4_request');
  return {
    accessKeyId: accessKeyId!,
    scope: { date: date!, region: region!, service: service! },
    signedHeaders,
    sentSignature: sentSignature!,
    expectedSignature: createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex'),
  };
}
