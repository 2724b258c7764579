/** What happened to one SQS record; reported through `onOutcome`, logged, and counted as a metric. */
export interface RecordOutcome {
  readonly messageId: string;
  readonly svixId?: string;
  readonly eventType?: string;
  readonly entityId?: string;
  /** When Clerk emitted the event (envelope timestamp, else data.updated_at), epoch ms: the processing-lag metric. */
  readonly occurredAt?: number;
  /**
   * applied: the table now reflects the event. duplicate: this event was applied before.
   * stale: a newer state (or a deletion) already wins. ignored: an event type this project
   * does not model. dead-lettered: can never succeed, moved to the DLQ. failed: transient,
   * reported as a batch item failure so SQS redelivers it.
   */
  readonly result: 'applied' | 'duplicate' | 'stale' | 'ignored' | 'dead-lettered' | 'failed';
  readonly reason?: string;
  /**
   * 'continued': a deletion whose cascade ran out of its budget; the rest was handed to a new
   * message with the same body (counted in the CascadesContinued metric).
   */
  readonly cascade?: 'continued';
}

export type RecordResult = RecordOutcome['result'];
