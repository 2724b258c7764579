import type { ClerkOrganization } from '../shared/clerk-events';
import { sampleOrganization } from '../shared/sample-events';
import { keys } from '../shared/table-schema';
import { organizationItem } from './organization-item';

const organization = (patch: Record<string, unknown> = {}) =>
  ({ ...sampleOrganization({ orgId: 'org_1', userId: 'user_1', at: 1_717_000_000_000 }), ...patch }) as unknown as ClerkOrganization;

describe('organizationItem', () => {
  it('is findable by slug', () => {
    expect(organizationItem(organization({ slug: 'acme' }), { version: 1, lastEventId: 'msg_1' })).toEqual({
      ...keys.organization('org_1'),
      ...keys.organizationSlugIndex('acme', 'org_1'),
      type: 'organization',
      id: 'org_1',
      name: 'Acme org_1',
      slug: 'acme',
      imageUrl: expect.stringMatching(/^https:\/\//),
      createdBy: 'user_1',
      createdAt: '2024-05-29T16:26:40.000Z',
      updatedAt: '2024-05-29T16:26:40.000Z',
      version: 1,
      lastEventId: 'msg_1',
    });
  });

  it('has no slug and no index entry when the slug is cleared', () => {
    const item = organizationItem(organization({ slug: null }), { version: 1, lastEventId: 'msg_1' });
    expect(item).not.toHaveProperty('slug');
    expect(item).not.toHaveProperty('gsi1pk');
    expect(item).not.toHaveProperty('gsi1sk');
  });
});
