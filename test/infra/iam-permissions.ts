import type { Template } from 'aws-cdk-lib/assertions';

interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
  Principal?: unknown;
}

interface PolicyDocument {
  Statement: Statement[];
}

/** Every identity-policy statement in the template, with where it came from. */
function identityStatements(template: Template): { source: string; roles: unknown; statement: Statement }[] {
  const out: { source: string; roles: unknown; statement: Statement }[] = [];
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [id, resource] of Object.entries(template.findResources(type))) {
      const props = resource.Properties as { PolicyDocument: PolicyDocument; Roles?: unknown };
      for (const statement of props.PolicyDocument.Statement) out.push({ source: id, roles: props.Roles, statement });
    }
  }
  for (const [id, resource] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    const inline = (resource.Properties as { Policies?: { PolicyDocument: PolicyDocument }[] }).Policies ?? [];
    for (const policy of inline) {
      for (const statement of policy.PolicyDocument.Statement) out.push({ source: id, roles: [{ Ref: id }], statement });
    }
  }
  return out;
}

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * What a role may do, one `action on resource` line per pair, sorted: statement layout
 * (merged by `minimizePolicies` or not) does not matter, only the effective grants.
 */
export function permissionsOfRole(template: Template, roleLogicalId: string): string[] {
  const role = template.findResources('AWS::IAM::Role')[roleLogicalId];
  if (!role) throw new Error(`no role ${roleLogicalId}`);
  const roleProps = role.Properties as { ManagedPolicyArns?: unknown };
  if (roleProps.ManagedPolicyArns !== undefined) {
    throw new Error(`${roleLogicalId} has managed policies: ${JSON.stringify(roleProps.ManagedPolicyArns)}`);
  }
  const lines = new Set<string>();
  for (const { source, roles, statement } of identityStatements(template)) {
    if (!JSON.stringify(roles ?? []).includes(JSON.stringify({ Ref: roleLogicalId }))) continue;
    if (statement.Effect !== 'Allow' || statement.NotAction || statement.NotResource || statement.Condition) {
      throw new Error(`unexpected statement shape in ${source}: ${JSON.stringify(statement)}`);
    }
    for (const action of asArray(statement.Action)) {
      for (const resource of asArray(statement.Resource)) lines.add(`${action} on ${JSON.stringify(resource)}`);
    }
  }
  return [...lines].sort();
}

/** The expected-side counterpart of `permissionsOfRole`. */
export function permissions(actions: string[], resources: unknown[]): string[] {
  return actions.flatMap((action) => resources.map((resource) => `${action} on ${JSON.stringify(resource)}`));
}

/**
 * Wildcards in any identity policy of the template: `*` in an action, or in a resource unless
 * `isAllowedResource` accepts it for that statement's actions. NotAction/NotResource count as
 * wildcards (they grant everything else).
 */
export function wildcardFindings(
  template: Template,
  isAllowedResource: (resourceJson: string, actions: readonly string[]) => boolean,
): string[] {
  const findings: string[] = [];
  for (const { source, statement } of identityStatements(template)) {
    if (statement.NotAction !== undefined) findings.push(`${source}: NotAction`);
    if (statement.NotResource !== undefined) findings.push(`${source}: NotResource`);
    const actions = asArray(statement.Action);
    for (const action of actions) {
      if (action.includes('*')) findings.push(`${source}: action ${action}`);
    }
    for (const resource of asArray(statement.Resource)) {
      const json = JSON.stringify(resource);
      if (json.includes('*') && !isAllowedResource(json, actions)) findings.push(`${source}: resource ${json}`);
    }
  }
  return findings;
}
