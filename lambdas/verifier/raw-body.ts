import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { PayloadTooLargeError } from '../shared/errors';

/**
 * The exact bytes the sender signed. HTTP API hands binary or non-text bodies over as base64;
 * text bodies arrive as the UTF-8 string they were. The limit applies to the decoded bytes.
 */
export function readRawBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>, maxBytes: number): Buffer {
  const body = event.body ?? '';
  const raw = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (raw.length > maxBytes) {
    throw new PayloadTooLargeError(`body is ${raw.length} bytes; at most ${maxBytes} bytes are accepted`);
  }
  return raw;
}
