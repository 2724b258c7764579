import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { InvalidSignatureError, MethodNotAllowedError, SourceNotAllowedError } from '../shared/errors';
import { isModelledEventType } from '../shared/clerk-events';
import { EVENT_BODY_LIMITS, parseEventBody } from '../shared/event-body';
import { enqueueEvent, type MessageSender } from './enqueue-event';
import { classifyError, errorResponse, jsonResponse } from './http-responses';
import { createInstanceFilter, NO_INSTANCE_ID } from './instance-filter';
import { readRawBody } from './raw-body';
import type { SigningSecretSource } from './signing-secrets';
import { sourceIpAllowList } from './source-ip-allow-list';
import { isInstanceId } from './verifier-config';
import { assertTimestampFresh, NO_SIGNATURE_MATCHED, signatureMatches, signingKeysFor } from './verify-signature';
import { readWebhookHeaders, type SignedHeaders } from './webhook-headers';
import type { WebhookOutcome } from './webhook-outcome';

export interface VerifierDeps {
  /** SendMessage to the event queue (sqs-message-sender.ts in Lambda). */
  readonly queue: MessageSender;
  readonly queueUrl: string;
  readonly secrets: SigningSecretSource;
  readonly maxBodyBytes: number;
  /**
   * Clerk instances whose events are queued; an authenticated event of any other is acknowledged
   * (2xx) and counted, never queued.
   * @default - every instance, each one named in a warning the first time it is seen
   */
  readonly allowedInstanceIds?: readonly string[];
  /**
   * CIDR ranges (parseSourceIpAllowList) requests must come from; others get 403 before any other work.
   * @default - any source
   */
  readonly allowedSourceIps?: readonly string[];
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
 * queues those bytes, and answers 2xx only after SQS has accepted them. Checks run cheapest and
 * least-trusting first: source address, method, size, headers (the id before it is logged),
 * timestamp, signature, and only then is the body parsed (bounded) and its instance checked.
 */
export function createVerifierHandler(deps: VerifierDeps): VerifierHandler {
  const { logger } = deps;
  const sources = deps.allowedSourceIps === undefined ? undefined : sourceIpAllowList(deps.allowedSourceIps);
  const instances = createInstanceFilter(deps.allowedInstanceIds, logger);

  return async (event) => {
    let bodyBytes: number | undefined;
    let svixId: string | undefined;
    try {
      if (sources !== undefined) {
        const sourceIp = event.requestContext?.http?.sourceIp;
        if (!sources.allows(sourceIp)) throw new SourceNotAllowedError(`source address ${sourceIp ?? '(none)'} is not allowed`);
      }
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

      const text = raw.toString('utf8');
      const clerkEvent = parseEventBody(text, EVENT_BODY_LIMITS);
      const eventType = clerkEvent.type;
      if (!instances.accepts(clerkEvent.instance_id)) {
        // Acknowledged so that Svix stops retrying: no retry could make it acceptable.
        const instanceId = isInstanceId(clerkEvent.instance_id) ? clerkEvent.instance_id : NO_INSTANCE_ID;
        logger.warn('webhook of a Clerk instance not in the allow-list acknowledged, not queued', {
          eventType,
          instanceId,
          outcome: 'ignored',
          bodyBytes,
        });
        deps.onOutcome?.({ result: 'ignored', statusCode: 200, svixId, eventType });
        return jsonResponse(200, { received: true, queued: false, reason: 'instance not allowed' });
      }
      if (!isModelledEventType(eventType)) {
        // The table stores nothing of it, and the processor would only acknowledge it: queueing
        // it would cost a message and a processor's share for nothing (README, "Correctness").
        logger.info('webhook of an event type the table does not store acknowledged, not queued', {
          eventType,
          outcome: 'not-modelled',
          bodyBytes,
        });
        deps.onOutcome?.({ result: 'not-modelled', statusCode: 200, svixId, eventType });
        return jsonResponse(200, { received: true, queued: false, reason: 'event type not modelled' });
      }
      await enqueueEvent(deps.queue, deps.queueUrl, {
        svixId,
        svixTimestamp: signed.timestamp,
        receivedAt: new Date(deps.now()).toISOString(),
        raw,
        text,
        eventType,
      });
      logger.info('webhook accepted', { eventType, outcome: 'accepted', bodyBytes });
      deps.onOutcome?.({ result: 'accepted', statusCode: 200, svixId, eventType });
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
