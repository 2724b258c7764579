/**
 * Package entry of clerk-webhook-sync: the `ClerkWebhookSync` construct for your own CDK app, the
 * stack this repository deploys, and the constructs and contracts they are made of.
 */
export { ClerkWebhookSync, type ClerkWebhookSyncProps } from './clerk-webhook-sync';
export { ClerkWebhookSyncStack, type ClerkWebhookSyncStackProps } from './clerk-webhook-sync-stack';
export { CONTEXT_KEYS, propsFromContext } from './context-props';
export { addNagChecks } from './nag';
export { CHANGE_EVENTS_DEFAULTS, PIPELINE_DEFAULTS, MAIL_DEFAULTS } from './pipeline-defaults';
export { ChangeEvents, type ChangeEventsConstructProps, type ChangeEventsProps } from './constructs/change-events';
export { EventProcessor, type EventProcessorProps } from './constructs/event-processor';
export { EventQueue, type EventQueueProps, type EventQueueSenders } from './constructs/event-queue';
export { IngestApi, type IngestApiProps } from './constructs/ingest-api';
export { type MailNotificationsProps, MailNotifier, type MailNotifierProps } from './constructs/mail-notifier';
export { type AlarmSpec, MONITORING_DEFAULTS, type PipelineAlarms, PipelineMonitoring, type PipelineMonitoringProps } from './constructs/monitoring';
export {
  FUNCTION_OBSERVABILITY_DEFAULTS,
  type FunctionLoggingProps,
  type LogLevel,
  NodeFunction,
  type NodeFunctionProps,
  type SystemLogLevel,
} from './constructs/node-function';
export { PipelineMetrics, pipelineNamespace } from './constructs/pipeline-metrics';
export { RECONCILE_DEFAULTS, type ReconcileProps, ScheduledReconciliation, type ScheduledReconciliationProps } from './constructs/reconciliation';
export { RedriveRole, type RedriveRoleProps } from './constructs/redrive-role';
export { type Gsi1Projection, SyncTable, type SyncTableProps } from './constructs/sync-table';
export { WebhookVerifier, type WebhookVerifierProps } from './constructs/webhook-verifier';
export { GSI1_PROJECTED_ATTRIBUTES, TABLE_KEYS } from '../lambdas/shared/table-schema';
export {
  CHANGE_EVENT_SOURCE,
  type ChangeDetailType,
  type ChangeEntity,
  type ChangeEventDetail,
  type ChangeEventEnvelope,
  type ChangeKind,
} from '../lambdas/change-events/change-event';
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
