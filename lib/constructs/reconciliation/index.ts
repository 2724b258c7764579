export { RECONCILE_DEFAULTS, RECONCILER_PRUNE_ACTIONS, RECONCILER_STATE_ACTIONS, RECONCILER_TABLE_ACTIONS } from './reconcile-defaults';
export { reconcileAlarmSpecs, reconcileDashboardWidgets } from './reconcile-monitoring';
export type { ReconcileProps } from './reconcile-props';
export { ScheduledReconciliation, type ScheduledReconciliationProps } from './scheduled-reconciliation';
