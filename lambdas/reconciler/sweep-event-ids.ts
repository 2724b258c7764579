/**
 * The event ids a sweep writes under, in the place of a svix id (`lastEventId`). The processor
 * orders two states of one version by their event ids, compared as DynamoDB compares strings
 * (UTF-8 bytes). `!` sorts below every character a svix id (`msg_…`) or any other printable id
 * starts with, so on an equal version the webhook's state wins, and a second run of the same
 * snapshot is a duplicate of the first (docs/consistency.md, "Snapshots").
 */
export const SNAPSHOT_EVENT_ID = '!snapshot';

/** A deletion the sweep applied because Clerk no longer has the entity (a missed `*.deleted`). */
export const PRUNE_EVENT_ID = '!prune';
