/**
 * Change events (docs/change-events.md): the ChangeEvents construct, its props, alarms and dashboard row.
 */
export { ChangeEvents, type ChangeEventsConstructProps } from './change-events';
export { changeEventAlarmSpecs, changeEventDashboardWidgets } from './change-events-monitoring';
export type { ChangeEventsProps } from './change-events-props';
