import { ledgerKeyOf, parsePendingEntry, pendingEntry } from './mail-ledger';

describe('mail ledger keys', () => {
  it('keys a welcome by user and an admin welcome by membership', () => {
    expect(ledgerKeyOf({ kind: 'welcome', userId: 'user_2a' })).toEqual({ pk: 'WELCOME#user_2a' });
    expect(ledgerKeyOf({ kind: 'admin-welcome', userId: 'user_2a', orgId: 'org_2o', membershipId: 'orgmem_2m' })).toEqual({
      pk: 'ADMIN_WELCOME#orgmem_2m',
    });
    expect(() => ledgerKeyOf({ kind: 'admin-welcome', userId: 'user_2a' })).toThrow(TypeError);
  });
});

describe('pending admin welcome entries', () => {
  it('round-trip as `<orgId>|<membershipId>`', () => {
    const pending = { orgId: 'org_2o', membershipId: 'orgmem_2m' };
    expect(pendingEntry(pending)).toBe('org_2o|orgmem_2m');
    expect(parsePendingEntry('org_2o|orgmem_2m')).toEqual(pending);
  });

  it.each(['org_2o', 'org_2o|', '|orgmem_2m', 'a|b|c', ''])('does not read "%s"', (entry) => {
    expect(parsePendingEntry(entry)).toBeUndefined();
  });
});
