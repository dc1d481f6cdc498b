/**
 * The access rules' matching and decisions, in process: who a rule applies to (principals, static tokens, OAuth
 * subjects, groups and scopes), deny over allow, the default, what a server's visibility and the pipelines follow,
 * refusals that name the rule and pattern, decisions kept until the rules change.
 */
import { describe, expect, it } from 'vitest';

import { AccessPolicy } from '../../../../src/gateway/access/access-policy.js';
import type { AccessRules } from '../../../../src/gateway/access/access-rules.js';
import { compileGlob } from '../../../../src/gateway/access/glob.js';
import type { SessionIdentity } from '../../../../src/shared/observation.js';

const stdio: SessionIdentity = { principal: 'local', frontDoor: 'stdio', sessionId: 's' };
const anonymous: SessionIdentity = { principal: 'anonymous', frontDoor: 'http-legacy', sessionId: 'a' };
const token = (name: string): SessionIdentity => ({
  principal: name,
  frontDoor: 'http-legacy',
  sessionId: name,
});
const oauth = (subject: string, groups: string[], scopes: string[]): SessionIdentity => ({
  principal: `corp:${subject}`,
  frontDoor: 'http-modern',
  sessionId: undefined,
  claims: { issuer: 'corp', subject, clientId: undefined, groups, scopes, expiresAt: undefined },
});

const RULES: AccessRules = {
  rules: [
    {
      name: 'owner',
      match: { principals: ['local'] },
      allow: { servers: ['*'], pipelines: true, gatewayTools: ['*'] },
    },
    {
      name: 'ci',
      match: { tokens: ['ci-*'] },
      allow: { tools: ['db.read_*', 'echo.echo'], pipelines: ['report'] },
    },
    { name: 'no-secrets', match: { principals: ['*'] }, deny: { tools: ['db.read_secrets'] } },
    { name: 'analysts', match: { groups: ['analysts'] }, allow: { servers: ['db'], prompts: ['docs.*'] } },
    { name: 'admins', match: { scopes: ['mcp:admin'] }, allow: { gatewayTools: ['restart_server'] } },
    { name: 'alice', match: { subjects: ['alice'] }, allow: { resources: ['docs.file:///public/*'] } },
  ],
};

describe('globs', () => {
  it('take * for any run and ? for one character, and nothing else as special', () => {
    expect(compileGlob('read_*').test('read_rows')).toBe(true);
    expect(compileGlob('read_*').test('xread_rows')).toBe(false);
    expect(compileGlob('a?c').test('abc')).toBe(true);
    expect(compileGlob('a.c').test('abc')).toBe(false);
    expect(compileGlob('file:///public/(x)').test('file:///public/(x)')).toBe(true);
  });
});

describe('an access policy', () => {
  const policy = new AccessPolicy(RULES);

  it('applies rules by principal, static token name, group, scope and subject', () => {
    expect(policy.rightsOf(stdio).allowsTool('anything', 'at_all')).toBe(true);
    const ci = policy.rightsOf(token('ci-nightly'));
    expect(ci.allowsTool('db', 'read_rows')).toBe(true);
    expect(ci.allowsTool('db', 'write_rows')).toBe(false);
    // A token rule is for static tokens: not for an OAuth principal, nor for the anonymous one, nor over stdio.
    expect(
      policy
        .rightsOf({ ...oauth('ci-nightly', [], []), principal: 'ci-nightly' })
        .allowsTool('db', 'read_rows'),
    ).toBe(false);
    expect(policy.rightsOf(anonymous).allowsTool('echo', 'echo')).toBe(false);
    const analyst = policy.rightsOf(oauth('bob', ['staff', 'analysts'], []));
    expect(analyst.allowsTool('db', 'write_rows')).toBe(true);
    expect(analyst.decide('prompt', 'docs', 'brief').allowed).toBe(true);
    const admin = policy.rightsOf(oauth('carol', [], ['mcp', 'mcp:admin']));
    expect(admin.decide('gatewayTool', '', 'restart_server').allowed).toBe(true);
    expect(admin.decide('gatewayTool', '', 'register_server').allowed).toBe(false);
    const alice = policy.rightsOf(oauth('alice', [], []));
    expect(alice.decide('resource', 'docs', 'file:///public/a.txt').allowed).toBe(true);
    expect(alice.decide('resource', 'docs', 'file:///private/a.txt').allowed).toBe(false);
  });

  it('lets a deny of any rule that applies beat every allow, and says which rule and pattern', () => {
    const owner = policy.rightsOf(stdio);
    expect(owner.allowsTool('db', 'read_secrets')).toBe(false);
    expect(owner.refusal('local', 'tool', 'db', 'read_secrets')?.message).toBe(
      'access denied: principal "local" may not call tool "read_secrets" of server "db": access rule "no-secrets" ' +
        'denies it (deny.tools "db.read_secrets"); an operator grants it in the config\'s access section',
    );
  });

  it('refuses what no rule allows under the default, naming the rules that apply', () => {
    const refusal = policy.rightsOf(token('ci-1')).refusal('ci-1', 'tool', 'weather', 'get_alerts');
    expect(refusal?.code).toBe('access_denied');
    expect(refusal?.message).toContain(
      'no access rule that applies ("ci", "no-secrets") allows it, and access.default is "deny"',
    );
    expect(
      new AccessPolicy({ default: 'allow', rules: RULES.rules }).rightsOf(anonymous).allowsTool('x', 'y'),
    ).toBe(true);
    const none = new AccessPolicy({ rules: [] })
      .rightsOf(anonymous)
      .refusal('anonymous', 'pipeline', '', 'p');
    expect(none?.message).toContain(
      'may not run pipeline "p": no access rule applies to it, and access.default is "deny"',
    );
  });

  it('shows a server when a rule grants something of it, and never one denied whole', () => {
    const ci = policy.rightsOf(token('ci-1'));
    expect(ci.serverVisible('db')).toBe(true);
    expect(ci.serverVisible('echo')).toBe(true);
    expect(ci.serverVisible('weather')).toBe(false);
    const hidden = new AccessPolicy({
      default: 'allow',
      rules: [{ name: 'no-db', match: { principals: ['*'] }, deny: { servers: ['db'] } }],
    }).rightsOf(anonymous);
    expect(hidden.serverVisible('db')).toBe(false);
    expect(hidden.serverVisible('echo')).toBe(true);
  });

  it('runs pipelines when granted: all of them, or those named', () => {
    const ci = policy.rightsOf(token('ci-1'));
    expect(ci.anyPipeline()).toBe(true);
    expect(ci.decide('pipeline', '', 'report').allowed).toBe(true);
    expect(ci.decide('pipeline', '', 'custom').allowed).toBe(false);
    expect(policy.rightsOf(oauth('bob', ['analysts'], [])).anyPipeline()).toBe(false);
  });

  it('shares rights between the identities the same rules apply to, decides once, and starts again on replace', () => {
    const first = policy.rightsOf(token('ci-1'));
    expect(policy.rightsOf(token('ci-2'))).toBe(first);
    expect(first.decide('tool', 'db', 'read_rows')).toBe(first.decide('tool', 'db', 'read_rows'));
    const replaced = new AccessPolicy(RULES);
    const session = replaced.forSession(token('ci-1'));
    const before = session.rights();
    expect(session.rights()).toBe(before);
    replaced.replace({ rules: [{ name: 'all', match: { principals: ['*'] }, allow: { servers: ['*'] } }] });
    expect(session.rights()).not.toBe(before);
    expect(session.rights().allowsTool('weather', 'get_alerts')).toBe(true);
    replaced.replace(undefined);
    expect(session.rights().unrestricted).toBe(true);
  });
});
