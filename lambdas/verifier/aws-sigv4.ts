import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** Long-lived or temporary AWS credentials; a temporary one carries its session token. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytesOf(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * The hash SignatureV4 asks for (`new sha256()` to hash, `new sha256(key)` for an HMAC), done by
 * node:crypto: OpenSSL's native SHA-256 instead of the SDK's JavaScript one (@aws-crypto/sha256-js).
 */
export class NodeSha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }

  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }

  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

/** Signs requests to one service in one region with SigV4 (the session token goes as X-Amz-Security-Token). */
export function createSigV4Signer(options: { service: string; region: string; credentials: AwsCredentials }): SignatureV4 {
  return new SignatureV4({ service: options.service, region: options.region, credentials: options.credentials, sha256: NodeSha256 });
}
