import {
  ConfigurationError,
  EnqueueFailedError,
  InvalidSignatureError,
  InvalidSigningSecretError,
  PayloadTooLargeError,
  SigningSecretUnavailableError,
  SourceNotAllowedError,
} from '../shared/errors';
import { classifyError, errorResponse } from './http-responses';
import { readRawBody } from './raw-body';

describe('readRawBody', () => {
  it('decodes a base64 body to its exact bytes', () => {
    const bytes = Buffer.from([0x7b, 0x7d, 0xff, 0x00, 0xe2, 0x82, 0xac]);
    expect(readRawBody({ body: bytes.toString('base64'), isBase64Encoded: true }, 100)).toEqual(bytes);
    expect(readRawBody({ body: '{"a":"€"}', isBase64Encoded: false }, 100)).toEqual(Buffer.from('{"a":"€"}', 'utf8'));
    expect(readRawBody({ body: undefined, isBase64Encoded: false }, 100)).toEqual(Buffer.alloc(0));
  });

  it('measures the limit on decoded bytes', () => {
    const atLimit = Buffer.alloc(30, 1).toString('base64'); // 40 characters, 30 bytes
    expect(readRawBody({ body: atLimit, isBase64Encoded: true }, 30)).toHaveLength(30);
    expect(() => readRawBody({ body: '€'.repeat(11), isBase64Encoded: false }, 32)).toThrow(
      new PayloadTooLargeError('body is 33 bytes; at most 32 bytes are accepted'),
    );
  });
});

describe('http-responses', () => {
  it('maps each failure to its status; 5xx text stays generic', () => {
    expect(classifyError(new InvalidSignatureError('no signature matched: check the signing secret'))).toEqual({
      statusCode: 401,
      publicMessage: 'no signature matched: check the signing secret',
      code: 'INVALID_SIGNATURE',
      rejection: 'signature',
    });
    expect(classifyError(new SourceNotAllowedError('source address 192.0.2.1 is not allowed'))).toEqual({
      statusCode: 403,
      publicMessage: 'source address 192.0.2.1 is not allowed',
      code: 'SOURCE_NOT_ALLOWED',
      rejection: 'source',
    });
    expect(classifyError(new SigningSecretUnavailableError('ThrottlingException at arn:...')).statusCode).toBe(503);
    expect(classifyError(new EnqueueFailedError('x')).statusCode).toBe(503);
    expect(classifyError(new InvalidSigningSecretError('entry 2 of 2')).publicMessage).not.toContain('entry');
    expect(classifyError(new ConfigurationError('x')).statusCode).toBe(500);
    expect(classifyError(new TypeError('boom'))).toEqual({
      statusCode: 500,
      publicMessage: 'internal error; see the webhook receiver logs',
      code: 'UNEXPECTED',
    });
  });

  it('answers JSON, with Allow on 405', () => {
    expect(errorResponse({ statusCode: 405, publicMessage: 'nope', code: 'METHOD_NOT_ALLOWED' })).toEqual({
      statusCode: 405,
      headers: { 'content-type': 'application/json', allow: 'POST' },
      body: '{"error":"nope"}',
    });
  });
});
