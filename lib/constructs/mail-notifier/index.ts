/**
 * Welcome mails (docs/notifications.md): the MailNotifier construct and what it is made of,
 * one concern a file. Its settings are checked with the notifier's own parsers
 * (lambdas/notifier/notifier-config.ts).
 */
export { MAIL_ALARM_DEFAULTS, mailAlarmSpecs } from './mail-alarms';
export { mailDashboardWidgets } from './mail-dashboard';
export type { MailNotificationsProps } from './mail-notifications-props';
export { MailNotifier, type MailNotifierProps, NOTIFIER_LEDGER_ACTIONS, NOTIFIER_TABLE_ACTIONS } from './mail-notifier';
export { type MailSettings, mailSettings, parseFromAddress, sesIdentityFor } from './mail-settings';
export { notifierEventFilters } from './notifier-event-filters';
export { SendOnlyQueueDestination } from '../send-only-queue-destination';
