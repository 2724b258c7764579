/**
 * Failures of one AWS JSON-protocol call, and which of them a retry can help. Named like the
 * SDK's (the error's `name` is the service's error code, `TimeoutError` for a timeout), so a log
 * line reads `ThrottlingException: Rate exceeded` as before. None of them carries a request's
 * headers (its signature) or a response body beyond the service's own error message.
 */

/** The service answered with an error (HTTP status ≥ 300). */
export class AwsServiceError extends Error {
  /** The error code of the answer's `__type` (or `code`, or the `x-amzn-errortype` header), namespace removed. */
  readonly code: string;
  readonly statusCode: number;
  /** SQS's code from its `x-amzn-query-error` header, e.g. `AWS.SimpleQueueService.NonExistentQueue`. */
  readonly queryErrorCode?: string;
  readonly requestId?: string;

  constructor(details: { code: string; message: string; statusCode: number; queryErrorCode?: string; requestId?: string }) {
    const query = details.queryErrorCode !== undefined && details.queryErrorCode !== details.code ? ` (${details.queryErrorCode})` : '';
    super(`${details.message}${query}`);
    this.name = details.code;
    this.code = details.code;
    this.statusCode = details.statusCode;
    if (details.queryErrorCode !== undefined) this.queryErrorCode = details.queryErrorCode;
    if (details.requestId !== undefined) this.requestId = details.requestId;
  }
}

/** An attempt ran out of its connection or request timeout and was aborted. */
export class AwsTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/** The service answered 2xx with something that is not the operation's output. Its body is never quoted: it may hold a secret. */
export class AwsUnexpectedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnexpectedResponseError';
  }
}

/** Headers as node:http gives them (lower-case names). */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `aws.protocols#ErrorCode:http://…` or `ns#Code` → `Code`, as the AWS JSON protocols define error codes. */
function sanitizeErrorCode(raw: string): string {
  let code = raw.split(',')[0]!.split(':')[0]!;
  if (code.includes('#')) code = code.split('#')[1]!;
  return code;
}

function stringField(data: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const name of names) {
    const key = Object.keys(data).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    const value = key === undefined ? undefined : data[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** The error an AWS JSON-protocol service answered: `{"__type": "…", "message": "…"}`, SQS adding `x-amzn-query-error: Code;Fault`. */
export function parseAwsJsonError(statusCode: number, headers: ResponseHeaders, body: Buffer): AwsServiceError {
  let data: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML page): the status says what there is to say.
  }
  const rawCode = stringField(data, '__type', 'code') ?? header(headers, 'x-amzn-errortype');
  const queryError = header(headers, 'x-amzn-query-error')?.split(';')[0];
  const requestId = header(headers, 'x-amzn-requestid');
  return new AwsServiceError({
    code: rawCode === undefined ? `Http${statusCode}Error` : sanitizeErrorCode(rawCode),
    message: stringField(data, 'message') ?? `HTTP ${statusCode} without an AWS error message`,
    statusCode,
    ...(queryError === undefined || queryError === '' ? {} : { queryErrorCode: queryError }),
    ...(requestId === undefined ? {} : { requestId }),
  });
}

/** The throttling codes of the AWS JSON protocols (the SDK's list) and SQS's query-compatible ones. */
const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
  'AWS.SimpleQueueService.RequestThrottled',
]);

const TRANSIENT_CODES: ReadonlySet<string> = new Set(['RequestTimeout', 'RequestTimeoutException']);

/** Node's codes for a connection that failed or broke before a whole answer arrived. */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export function isThrottling(error: unknown): boolean {
  if (!(error instanceof AwsServiceError)) return false;
  return error.statusCode === 429 || THROTTLING_CODES.has(error.code) || (error.queryErrorCode !== undefined && THROTTLING_CODES.has(error.queryErrorCode));
}

/**
 * Whether another attempt may succeed: a timeout, a connection that failed or broke (refused,
 * reset, DNS), a 5xx, throttling. Not a 4xx the request caused (access denied, no such queue or
 * secret, bad input), not an answer that does not parse, not a bug of ours.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof AwsServiceError) return error.statusCode >= 500 || isThrottling(error) || TRANSIENT_CODES.has(error.code);
  if (error instanceof AwsTimeoutError) return true;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code);
}

/** Longest wait before retry n (1-based): ms × 2^(n−1), each drawn at random below it (full jitter). */
export const RETRY_BASE_MS = { transient: 50, throttling: 500 } as const;

export function retryDelayMs(retry: number, throttled: boolean, random: () => number = Math.random): number {
  const ceiling = (throttled ? RETRY_BASE_MS.throttling : RETRY_BASE_MS.transient) * 2 ** (retry - 1);
  return Math.floor(random() * ceiling);
}
