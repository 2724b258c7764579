import type { ClerkUser } from '../shared/clerk-events';
import { keys, USER_PROFILE_ATTRIBUTES } from '../shared/table-schema';
import { definedOnly, isRecord, optionalIso, optionalString } from './read-fields';

/** Profile attributes a user event owns (the table module's list): each is set when present and removed when absent. */
export { USER_PROFILE_ATTRIBUTES };

export type UserProfileAttribute = (typeof USER_PROFILE_ATTRIBUTES)[number];
export type UserProfileAttributes = Partial<Record<UserProfileAttribute, string>>;

export interface UserProfile {
  /** Only the attributes present in the event. */
  readonly attributes: UserProfileAttributes;
  /** Present when the user has a primary email: its `verification.status` is `verified`. */
  readonly emailVerified?: boolean;
  /** gsi1 keys for "user by email", when the user has a primary email. */
  readonly emailIndex?: { readonly gsi1pk: string; readonly gsi1sk: string };
}

/** The entry whose id is `primary_email_address_id`; Clerk does not promise it is the first one. */
function primaryEmailEntry(user: ClerkUser): Record<string, unknown> | undefined {
  const primaryId = optionalString(user.primary_email_address_id);
  if (primaryId === undefined || !Array.isArray(user.email_addresses)) return undefined;
  const entry: unknown = user.email_addresses.find((address: unknown) => isRecord(address) && address.id === primaryId);
  return isRecord(entry) ? entry : undefined;
}

/** The primary address, as Clerk spells it. */
export function primaryEmail(user: ClerkUser): string | undefined {
  return optionalString(primaryEmailEntry(user)?.email_address);
}

/**
 * Whether the primary address is verified (`verification.status === 'verified'`); anything else,
 * a missing verification included, is not. Only a verified address may receive mail.
 */
export function isPrimaryEmailVerified(user: ClerkUser): boolean {
  const verification = primaryEmailEntry(user)?.verification;
  return isRecord(verification) && verification.status === 'verified';
}

export function userProfile(user: ClerkUser): UserProfile {
  const email = primaryEmail(user);
  const attributes = definedOnly<UserProfileAttributes>({
    email,
    firstName: optionalString(user.first_name),
    lastName: optionalString(user.last_name),
    username: optionalString(user.username),
    imageUrl: optionalString(user.image_url) ?? optionalString((user as { profile_image_url?: unknown }).profile_image_url),
    externalId: optionalString(user.external_id),
    createdAt: optionalIso(user.created_at),
    updatedAt: optionalIso(user.updated_at),
    lastSignInAt: optionalIso(user.last_sign_in_at),
  });
  return email === undefined
    ? { attributes }
    : { attributes, emailVerified: isPrimaryEmailVerified(user), emailIndex: keys.userEmailIndex(email, user.id) };
}
