import type { ClerkOrganization } from '../shared/clerk-events';
import { keys, type OrganizationItem } from '../shared/table-schema';
import { definedOnly, optionalIso, optionalString } from './read-fields';
import type { EventStamp } from './session-item';

export function organizationItem(organization: ClerkOrganization, stamp: EventStamp): OrganizationItem {
  const slug = optionalString(organization.slug);
  return definedOnly<OrganizationItem>({
    ...keys.organization(organization.id),
    ...(slug === undefined ? {} : keys.organizationSlugIndex(slug, organization.id)),
    type: 'organization',
    id: organization.id,
    name: optionalString(organization.name),
    slug,
    imageUrl:
      optionalString(organization.image_url) ?? optionalString((organization as { logo_url?: unknown }).logo_url),
    createdBy: optionalString(organization.created_by),
    createdAt: optionalIso(organization.created_at),
    updatedAt: optionalIso(organization.updated_at),
    version: stamp.version,
    lastEventId: stamp.lastEventId,
  });
}
