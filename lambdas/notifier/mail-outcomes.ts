import type { MailRef } from './mail-ledger';
import type { Delivery } from './deliver-mail';
import { describeFailure } from '../shared/describe-failure';
import type { MailOutcome } from './notifier-deps';
import type { RecordLog } from './record-log';

/**
 * Reports what became of each mail: to onOutcome (metrics, the local console, tests) and to
 * the log. Logs carry ids and kinds only, never an address or a name.
 */
export class MailOutcomeReporter {
  constructor(
    private readonly logger: RecordLog,
    private readonly streamEventId: string | undefined,
    private readonly onOutcome: ((outcome: MailOutcome) => void) | undefined,
  ) {}

  delivered(mail: MailRef, delivery: Delivery): void {
    const outcome: MailOutcome =
      delivery.result === 'sent'
        ? { ...this.idsOf(mail), result: 'sent', messageId: delivery.messageId }
        : { ...this.idsOf(mail), result: 'skipped', reason: delivery.reason };
    this.logger.info(delivery.result === 'sent' ? 'mail sent' : 'mail skipped', { ...outcome });
    this.onOutcome?.(outcome);
  }

  failed(mail: MailRef, error: unknown): void {
    const outcome: MailOutcome = { ...this.idsOf(mail), result: 'failed', reason: describeFailure(error) };
    this.logger.warn('mail failed, the stream record will be retried', { ...outcome });
    this.onOutcome?.(outcome);
  }

  private idsOf(mail: MailRef): Pick<MailOutcome, 'kind' | 'userId' | 'orgId' | 'membershipId' | 'streamEventId'> {
    return {
      kind: mail.kind,
      userId: mail.userId,
      ...(mail.orgId === undefined ? {} : { orgId: mail.orgId }),
      ...(mail.membershipId === undefined ? {} : { membershipId: mail.membershipId }),
      ...(this.streamEventId === undefined ? {} : { streamEventId: this.streamEventId }),
    };
  }
}
