import { MailClaimHeldError, MailTimeBudgetError } from '../shared/errors';
import { isoFromMillis } from '../shared/table-schema';
import { claimMail, type LedgerTable, type MailRef } from './mail-ledger';

/**
 * While another attempt holds the claim, look again this often: a live holder usually marks
 * the mail sent within a second or two, and then there is nothing left to wait for.
 */
export const CLAIM_POLL_MS = 1_000;

export interface LeaseClock {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Time left in the invocation. */
  readonly remainingTimeMs: () => number;
  readonly leaseMs: number;
}

export type LeasedClaim =
  | { readonly status: 'claimed'; readonly claimToken: string; readonly leaseExpiresAt: number; readonly attempts: number }
  | { readonly status: 'sent' };

/**
 * Claims the mail, waiting out another attempt's claim when the invocation has time for it.
 * An attempt only starts with a whole lease of time left: an invocation that timed out in the
 * middle of a send would leave its claim to expire and the mail to be sent again.
 */
export async function claimWithLease(ledger: LedgerTable, mail: MailRef, clock: LeaseClock): Promise<LeasedClaim> {
  for (;;) {
    if (clock.remainingTimeMs() < clock.leaseMs) {
      throw new MailTimeBudgetError(`${clock.remainingTimeMs()} ms left, a claim needs ${clock.leaseMs} ms`);
    }
    const claim = await claimMail(ledger, mail, clock.now(), clock.leaseMs);
    if (claim.status === 'claimed' || claim.status === 'sent') return claim;
    if (claim.status === 'contended') continue;

    // The claim condition is `leaseExpiresAt < now`: one millisecond past the end is enough.
    const untilExpiry = claim.leaseExpiresAt - clock.now() + 1;
    if (!(untilExpiry + clock.leaseMs <= clock.remainingTimeMs())) {
      throw new MailClaimHeldError(`another attempt holds the claim until ${describeTime(claim.leaseExpiresAt)}`);
    }
    await clock.sleep(Math.max(1, Math.min(CLAIM_POLL_MS, untilExpiry)));
  }
}

function describeTime(ms: number): string {
  return Number.isFinite(ms) ? isoFromMillis(ms) : 'an unknown time';
}
