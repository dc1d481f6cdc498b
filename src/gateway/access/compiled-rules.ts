/**
 * The access rules compiled once per config: globs made matchers, and each rule's `match` a test of a session's
 * identity. Who a rule applies to: every key it gives must match, by any of its values:
 * - `principals`: the principal (`local` over stdio, `anonymous` over HTTP without authentication, a static token's
 *   name, `<issuer name>:<subject>` for OAuth);
 * - `tokens`: a static token's name (an HTTP principal without OAuth claims, `anonymous` aside);
 * - `subjects`, `groups`, `scopes`: an OAuth principal's subject, any of its groups, any of its scopes.
 */
import type { SessionIdentity } from '../../shared/observation.js';
import type { AccessGrant, AccessMatch, AccessRules } from './access-rules.js';
import { compileGlob, compileQualified, firstMatch, type Glob, type QualifiedGlob } from './glob.js';

/** What a rule grants or denies, compiled. */
export interface CompiledGrant {
  readonly servers: readonly Glob[];
  readonly tool: readonly QualifiedGlob[];
  readonly prompt: readonly QualifiedGlob[];
  readonly resource: readonly QualifiedGlob[];
  /** True: every pipeline; a set: those named (`custom` for the caller's own steps). */
  readonly pipelines: boolean | ReadonlySet<string>;
  readonly gatewayTools: ReadonlySet<string>;
}

/** One rule, compiled. */
export interface CompiledRule {
  readonly name: string;
  /** Its position in the config, for the key of a set of rules. */
  readonly index: number;
  applies(identity: SessionIdentity): boolean;
  readonly allow: CompiledGrant | undefined;
  readonly deny: CompiledGrant | undefined;
}

/** The section, compiled. */
export interface CompiledRules {
  readonly defaultAllows: boolean;
  readonly rules: readonly CompiledRule[];
}

/** The principal of an HTTP client when the front door has no authentication. */
const ANONYMOUS = 'anonymous';

/** Compiles the section. */
export function compileRules(access: AccessRules): CompiledRules {
  return {
    defaultAllows: access.default === 'allow',
    rules: access.rules.map((rule, index) => ({
      name: rule.name,
      index,
      applies: compileMatch(rule.match),
      allow: rule.allow && compileGrant(rule.allow),
      deny: rule.deny && compileGrant(rule.deny),
    })),
  };
}

function compileGrant(grant: AccessGrant): CompiledGrant {
  const pipelines = grant.pipelines;
  return {
    servers: (grant.servers ?? []).map(compileGlob),
    tool: (grant.tools ?? []).map(compileQualified),
    prompt: (grant.prompts ?? []).map(compileQualified),
    resource: (grant.resources ?? []).map(compileQualified),
    pipelines: typeof pipelines === 'boolean' ? pipelines : new Set(pipelines ?? []),
    gatewayTools: new Set(grant.gatewayTools ?? []),
  };
}

function compileMatch(match: AccessMatch): (identity: SessionIdentity) => boolean {
  const globs = (values: readonly string[] | undefined): readonly Glob[] | undefined =>
    values?.map(compileGlob);
  const principals = globs(match.principals);
  const tokens = globs(match.tokens);
  const subjects = globs(match.subjects);
  const groups = globs(match.groups);
  const scopes = globs(match.scopes);
  const anyOf = (wanted: readonly Glob[], values: readonly string[]): boolean =>
    values.some((value) => firstMatch(wanted, value) !== undefined);
  return (identity) => {
    const { principal, claims } = identity;
    if (principals && !firstMatch(principals, principal)) return false;
    if (tokens) {
      const isToken = claims === undefined && identity.frontDoor !== 'stdio' && principal !== ANONYMOUS;
      if (!isToken || !firstMatch(tokens, principal)) return false;
    }
    if (subjects && !(claims && firstMatch(subjects, claims.subject))) return false;
    if (groups && !(claims && anyOf(groups, claims.groups))) return false;
    if (scopes && !(claims && anyOf(scopes, claims.scopes))) return false;
    return true;
  };
}
