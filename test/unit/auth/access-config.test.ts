/** The `access` section through the config checker: valid shapes, and errors that name the path and what to fix. */
import { describe, expect, it } from 'vitest';

import { checkConfig } from '../../../src/config/check-config.js';

function errorsOf(access: unknown): string[] {
  return checkConfig({ access }, { env: {} })
    .problems.filter((problem) => problem.severity === 'error')
    .map((problem) => `${problem.path}: ${problem.message}`);
}

describe('the access section', () => {
  it('takes rules matching principals, tokens, subjects, groups and scopes, with allows and denies', () => {
    const access = {
      default: 'deny',
      rules: [
        { name: 'me', match: { principals: ['local'] }, allow: { servers: ['*'], gatewayTools: ['*'] } },
        {
          name: 'readers',
          match: { tokens: ['ci-*'], groups: ['readers'], scopes: ['mcp:read'], subjects: ['a*'] },
          allow: {
            tools: ['db.read_*'],
            prompts: ['docs.*'],
            resources: ['docs.file:///*'],
            pipelines: ['r'],
          },
          deny: { tools: ['db.read_secrets'], pipelines: true },
        },
      ],
    };
    const checked = checkConfig({ access }, { env: {} });
    expect(checked.problems).toEqual([]);
    expect(checked.config?.access).toEqual(access);
  });

  it('names the path of what is wrong and says what to write', () => {
    expect(errorsOf({ rules: [{ name: 'r', match: {}, allow: { servers: ['a'] } }] })).toEqual([
      'access.rules.0.match: access.rules[].match needs principals, subjects, groups, scopes or tokens (use "principals": ["*"] for everyone)',
    ]);
    expect(errorsOf({ rules: [{ name: 'r', match: { principals: ['*'] } }] })).toEqual([
      'access.rules.0: access.rules[]: a rule needs "allow" or "deny"',
    ]);
    expect(
      errorsOf({ rules: [{ name: 'r', match: { principals: ['*'] }, allow: { tools: ['read'] } }] }),
    ).toEqual([
      'access.rules.0.allow.tools.0: access.rules[].allow.tools: write "server.name" (globs allowed on each side), e.g. ["db.read_*"]',
    ]);
    expect(
      errorsOf({
        rules: [{ name: 'r', match: { principals: ['*'] }, deny: { gatewayTools: ['call_backend'] } }],
      }),
    ).toHaveLength(1);
    const rule = { name: 'twice', match: { principals: ['*'] }, allow: { servers: ['a'] } };
    expect(errorsOf({ rules: [rule, rule] })).toEqual([
      'access.rules: access.rules: each name must be used once',
    ]);
    expect(errorsOf({ default: 'maybe', rules: [] })).toEqual([
      'access.default: access.default is "deny" or "allow"',
    ]);
  });

  it('warns of a key it does not know, as elsewhere in the file', () => {
    const checked = checkConfig(
      {
        access: {
          rules: [{ name: 'r', match: { principal: ['x'], tokens: ['t'] }, allow: { servers: ['a'] } }],
        },
      },
      { env: {} },
    );
    expect(checked.problems.map((problem) => `${problem.severity} ${problem.path}`)).toEqual([
      'warning access.rules.0.match.principal',
    ]);
  });
});
