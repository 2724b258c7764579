/**
 * Package entry of clerk-webhook-sync: the `ClerkWebhookSync` construct for your own CDK app, the
 * stack this repository deploys, and the constructs and contracts they are made of.
 */
export { ClerkWebhookSync, type ClerkWebhookSyncProps } from './clerk-webhook-sync';
export { ClerkWebhookSyncStack, type ClerkWebhookSyncStackProps } from './clerk-webhook-sync-stack';
export { CONTEXT_KEYS, propsFromContext } from './context-props';
export { addNagChecks } from './nag';
export { PIPELINE_DEFAULTS, MAIL_DEFAULTS } from './pipeline-defaults';
export { EventProcessor, type EventProcessorProps } from './constructs/event-processor';
export { EventQueue, type EventQueueProps, type EventQueueSenders } from './constructs/event-queue';
export { IngestApi, type IngestApiProps } from './constructs/ingest-api';
export { type MailNotificationsProps, MailNotifier, type MailNotifierProps } from './constructs/mail-notifier';
export { type AlarmSpec, MONITORING_DEFAULTS, type PipelineAlarms, PipelineMonitoring, type PipelineMonitoringProps } from './constructs/monitoring';
export { type LogLevel, NodeFunction, type NodeFunctionProps } from './constructs/node-function';
export { PipelineMetrics, pipelineNamespace } from './constructs/pipeline-metrics';
export { RedriveRole, type RedriveRoleProps } from './constructs/redrive-role';
export { SyncTable, type SyncTableProps } from './constructs/sync-table';
export { WebhookVerifier, type WebhookVerifierProps } from './constructs/webhook-verifier';
export { TABLE_KEYS } from '../lambdas/shared/table-schema';
export type {
  MembershipItem,
  MembershipTombstone,
  OrganizationItem,
  OrganizationTombstone,
  SessionItem,
  TableItem,
  UserItem,
  UserTombstone,
} from '../lambdas/shared/table-schema';
