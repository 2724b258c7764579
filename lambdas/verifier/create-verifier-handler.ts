import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { InvalidSignatureError, MethodNotAllowedError } from '../shared/errors';
import type { QueuedEvent } from '../shared/queued-event';
import { parseClerkEvent } from './clerk-event-body';
import { enqueueEvent } from './enqueue-event';
import { classifyError, errorResponse, jsonResponse } from './http-responses';
import { readRawBody } from './raw-body';
import type { SigningSecretSource } from './signing-secrets';
import { assertTimestampFresh, NO_SIGNATURE_MATCHED, signatureMatches, signingKeysFor } from './verify-signature';
import { readWebhookHeaders, type SignedHeaders } from './webhook-headers';
import type { WebhookOutcome } from './webhook-outcome';

export interface VerifierDeps {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly secrets: SigningSecretSource;
  readonly maxBodyBytes: number;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly logger: Logger;
  /** Called once per request with what the verifier answered (metrics). */
  readonly onOutcome?: (outcome: WebhookOutcome) => void;
}

export type VerifierHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

const SVIX_ID_LOG_KEY = 'svixId';
/** Powertools' correlation id key: the svix id follows an event from the verifier's log to the processor's. */
const CORRELATION_ID_LOG_KEY = 'correlation_id';

/**
 * Receives one Clerk webhook (HTTP API payload v2): authenticates it on the exact received bytes,
 * queues it, and answers 2xx only after SQS has accepted it. Checks run cheapest and
 * least-trusting first: method, size, headers, timestamp, signature, and only then is the body
 * parsed as JSON.
 */
export function createVerifierHandler(deps: VerifierDeps): VerifierHandler {
  const { logger } = deps;

  return async (event) => {
    let bodyBytes: number | undefined;
    let svixId: string | undefined;
    try {
      const method = event.requestContext?.http?.method;
      if (method !== undefined && method !== 'POST') {
        throw new MethodNotAllowedError(`method ${method} is not allowed; Svix sends POST`);
      }
      const raw = readRawBody(event, deps.maxBodyBytes);
      bodyBytes = raw.length;
      const signed = readWebhookHeaders(event.headers ?? {});
      svixId = signed.id;
      logger.appendKeys({ [SVIX_ID_LOG_KEY]: svixId, [CORRELATION_ID_LOG_KEY]: svixId });
      assertTimestampFresh(signed, deps.now());
      await authenticate(deps, signed, raw);

      const clerkEvent = parseClerkEvent(raw);
      const queued: QueuedEvent = {
        version: 1,
        svixId: signed.id,
        svixTimestamp: signed.timestamp,
        receivedAt: new Date(deps.now()).toISOString(),
        event: clerkEvent,
      };
      await enqueueEvent(deps.sqs, deps.queueUrl, queued);
      logger.info('webhook accepted', { eventType: clerkEvent.type, outcome: 'accepted', bodyBytes });
      deps.onOutcome?.({ result: 'accepted', statusCode: 200, svixId, eventType: clerkEvent.type });
      return jsonResponse(200, { received: true });
    } catch (error) {
      const outcome = classifyError(error);
      const result = outcome.statusCode >= 500 ? 'failed' : 'rejected';
      const { rejection } = outcome;
      const details = {
        statusCode: outcome.statusCode,
        code: outcome.code,
        outcome: result,
        ...(rejection === undefined ? {} : { rejection }),
        reason: reasonOf(error),
        bodyBytes,
      };
      if (outcome.statusCode >= 500) {
        // Unexpected errors keep their stack; ours are fully described by code and reason.
        logger.error('webhook not accepted', outcome.code === 'UNEXPECTED' ? { ...details, error } : details);
      } else {
        logger.warn('webhook rejected', details);
      }
      deps.onOutcome?.({ result, statusCode: outcome.statusCode, code: outcome.code, rejection, svixId });
      return errorResponse(outcome);
    } finally {
      logger.removeKeys([SVIX_ID_LOG_KEY, CORRELATION_ID_LOG_KEY]);
    }
  };
}

/**
 * Verifies against the current secrets; on a mismatch asks the source once more with
 * `refresh` in case the secret was just rotated. The source limits how often that really
 * fetches; the same array back means nothing changed and there is nothing to retry.
 */
async function authenticate(deps: VerifierDeps, signed: SignedHeaders, raw: Buffer): Promise<void> {
  const secrets = await deps.secrets.getSecrets();
  if (signatureMatches(signingKeysFor(secrets), signed, raw)) return;
  const refreshed = await deps.secrets.getSecrets({ refresh: true });
  if (refreshed !== secrets && signatureMatches(signingKeysFor(refreshed), signed, raw)) {
    deps.logger.info('signature matched after refetching the signing secret (rotation)');
    return;
  }
  throw new InvalidSignatureError(NO_SIGNATURE_MATCHED);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
