import type { ClerkUser } from '../shared/clerk-events';
import { sampleUser } from '../shared/sample-events';
import { keys } from '../shared/table-schema';
import { isPrimaryEmailVerified, primaryEmail, userProfile } from './user-profile';

const user = (patch: Record<string, unknown> = {}): ClerkUser =>
  ({ ...sampleUser({ userId: 'user_2abc', email: 'Ada.Lovelace@Example.com', at: 1_717_000_000_000 }), ...patch }) as unknown as ClerkUser;

describe('primaryEmail', () => {
  it('picks the address whose id is primary_email_address_id, not the first one', () => {
    const data = user();
    expect(data.email_addresses?.[0]?.email_address).not.toBe('Ada.Lovelace@Example.com');
    expect(primaryEmail(data)).toBe('Ada.Lovelace@Example.com');
  });

  it('is absent when no address has the primary id or there is no primary', () => {
    expect(primaryEmail(user({ primary_email_address_id: 'idn_missing' }))).toBeUndefined();
    expect(primaryEmail(user({ primary_email_address_id: null }))).toBeUndefined();
    expect(primaryEmail(user({ email_addresses: 'garbage' }))).toBeUndefined();
  });
});

describe('userProfile', () => {
  it('maps Clerk fields to the table attributes, times as ISO-8601 UTC, email as given', () => {
    expect(userProfile(user())).toEqual({
      attributes: {
        email: 'Ada.Lovelace@Example.com',
        firstName: 'Ada',
        lastName: 'Lovelace',
        username: 'ada',
        imageUrl: expect.stringMatching(/^https:\/\/img\.clerk\.com\//),
        externalId: 'crm-r_2abc',
        createdAt: '2024-05-29T16:26:40.000Z',
        updatedAt: '2024-05-29T16:26:40.000Z',
        lastSignInAt: '2024-05-29T16:26:40.000Z',
      },
      emailVerified: true,
      emailIndex: keys.userEmailIndex('Ada.Lovelace@Example.com', 'user_2abc'),
    });
  });

  it('leaves absent, null, empty and wrongly typed optional fields out entirely', () => {
    const profile = userProfile(
      user({
        username: null,
        first_name: '',
        last_name: undefined,
        external_id: 17,
        image_url: null,
        profile_image_url: null,
        last_sign_in_at: null,
        primary_email_address_id: null,
      }),
    );
    expect(Object.keys(profile.attributes).sort()).toEqual(['createdAt', 'updatedAt']);
    expect(profile).not.toHaveProperty('emailIndex');
    expect(profile).not.toHaveProperty('emailVerified');
  });

  it('reads times sent in seconds as well as milliseconds', () => {
    expect(userProfile(user({ created_at: 1_717_000_000 })).attributes.createdAt).toBe('2024-05-29T16:26:40.000Z');
  });
});

describe('isPrimaryEmailVerified', () => {
  /** The sample user with the primary address's verification replaced, and the other address verified. */
  const withPrimaryVerification = (verification: unknown): ClerkUser => {
    const data = user();
    const addresses = (data.email_addresses as unknown as Record<string, unknown>[]).map((address) =>
      address.id === data.primary_email_address_id ? { ...address, verification } : { ...address, verification: { status: 'verified' } },
    );
    return { ...data, email_addresses: addresses } as unknown as ClerkUser;
  };

  it('is true only when the primary entry\'s verification.status is "verified"', () => {
    expect(isPrimaryEmailVerified(withPrimaryVerification({ status: 'verified', strategy: 'email_code' }))).toBe(true);
    for (const verification of [{ status: 'unverified' }, { status: 'expired' }, { status: 'Verified' }, { status: null }, null, undefined, 'verified', {}]) {
      expect(isPrimaryEmailVerified(withPrimaryVerification(verification))).toBe(false);
    }
  });

  it('never borrows the verification of another address, and is false without a primary', () => {
    expect(userProfile(withPrimaryVerification({ status: 'unverified' })).emailVerified).toBe(false);
    expect(isPrimaryEmailVerified(user({ primary_email_address_id: null }))).toBe(false);
  });
});
