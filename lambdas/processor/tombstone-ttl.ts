const SECONDS_PER_DAY = 86_400;

/** Epoch seconds (DynamoDB TTL's unit) at which a tombstone written now may expire. */
export function tombstoneTtl(nowMillis: number, tombstoneTtlDays: number): number {
  return Math.floor(nowMillis / 1000) + tombstoneTtlDays * SECONDS_PER_DAY;
}
