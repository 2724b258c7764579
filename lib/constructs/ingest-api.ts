import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  type HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, LogGroupClass, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PIPELINE_DEFAULTS } from '../pipeline-defaults';

export interface IngestApiProps {
  /** The function behind `POST /webhooks/clerk`. */
  readonly handler: IFunction;
  /**
   * Steady-state requests per second the default stage lets through (API Gateway answers 429
   * above it, which Svix retries). Bounds cost and load if the URL is abused.
   * @default 50
   */
  readonly throttlingRateLimit?: number;
  /**
   * Burst the default stage lets through.
   * @default 100
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Retention of the access log group.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the access log group when the stack is deleted.
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Class of the access log group, fixed when the group is created. Infrequent Access ingests at
   * half the price and answers Logs Insights queries (all the README's among them), but has no
   * metric filters, subscription filters or Live Tail: take `STANDARD` to stream or tail the access
   * log. Changing it replaces the group (its lines so far are deleted with the old one, or kept
   * with `logRemovalPolicy` RETAIN).
   * @default LogGroupClass.INFREQUENT_ACCESS
   */
  readonly accessLogClass?: LogGroupClass;
}

/**
 * Field names and values of one access log line: who called, what came back and how long the
 * verifier took. Never headers or bodies (signatures, personal data). Each line is billed as
 * ingested bytes on every request, so nothing CloudWatch already records or the status already
 * says is repeated: the request time is the log event's own timestamp, the response length says
 * nothing the status does not, and with one route the route key does not either (any other path
 * or method is a 404 of the gateway).
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  status: '$context.status',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
} as const;

/**
 * The public entry point: an HTTP API with one route, `POST /webhooks/clerk`, to the verifier
 * (payload format 2.0), no CORS (Svix calls it server to server), a throttled `$default` stage
 * with JSON access logs.
 *
 * Two hardening items HTTP APIs cannot do, and where they are handled instead:
 * - Request body cap: an HTTP API has a fixed 10 MB payload limit and no configurable body size
 *   or request validation. The verifier checks the body size first thing, before reading the
 *   secret or computing an HMAC, and answers 413 above its `maxBodyBytes`
 *   (lambdas/verifier/verifier-config.ts).
 * - Tracing: HTTP APIs do not support X-Ray (only REST APIs do), so traces, when turned on
 *   (`tracing`, see NodeFunction), start at the verifier function; the access log's `requestId` ties a
 *   request to the gateway side.
 */
export class IngestApi extends Construct {
  public readonly httpApi: HttpApi;
  public readonly stage: HttpStage;
  public readonly accessLogGroup: LogGroup;
  /** The full URL to paste into the Clerk dashboard. */
  public readonly webhookUrl: string;

  constructor(scope: Construct, id: string, props: IngestApiProps) {
    super(scope, id);

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
      logGroupClass: props.accessLogClass ?? LogGroupClass.INFREQUENT_ACCESS,
    });

    // The stage is created explicitly because HttpApi's automatic default stage takes neither
    // throttling nor access log settings.
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Receives Clerk webhooks (Svix) for clerk-webhook-sync',
      createDefaultStage: false,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: {
        rateLimit: props.throttlingRateLimit ?? 50,
        burstLimit: props.throttlingBurstLimit ?? 100,
      },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const routes = this.httpApi.addRoutes({
      path: PIPELINE_DEFAULTS.webhookPath,
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('VerifierIntegration', props.handler, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      }),
    });
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Svix cannot present IAM, JWT or Lambda-authorizer credentials; every request is authenticated by its Svix HMAC signature, which the verifier checks before anything is queued.',
      });
    }

    // `stage.url` ends with a slash for the $default stage.
    this.webhookUrl = `${this.stage.url}${PIPELINE_DEFAULTS.webhookPath.replace(/^\//, '')}`;
  }
}
