/** The `auth` section through the config checker: valid shapes, `${VAR}` expansion, and errors that say what to fix. */
import { describe, expect, it } from 'vitest';

import { checkConfig } from '../../../src/config/check-config.js';

function errorsOf(auth: unknown, env: Record<string, string> = {}): string[] {
  return checkConfig({ auth }, { env })
    .problems.filter((problem) => problem.severity === 'error')
    .map((problem) => `${problem.path}: ${problem.message}`);
}

describe('the auth section', () => {
  it('expands ${VAR} in the introspection secret, and keeps the rest as written', () => {
    const checked = checkConfig(
      {
        auth: {
          issuers: [
            {
              name: 'corp',
              issuer: 'https://id.example.com',
              introspection: { clientId: 'gw', clientSecret: '${SECRET}' },
            },
          ],
          methodScopes: { 'tools/call': ['mcp:tools'] },
        },
      },
      { env: { SECRET: 's3cret-value' } },
    );
    expect(checked.problems).toEqual([]);
    expect(checked.config?.auth?.issuers[0]?.introspection?.clientSecret).toBe('s3cret-value');
  });

  it('says what to fix: no issuer, a plain-http remote issuer, a name used twice, an unset secret', () => {
    expect(errorsOf({ issuers: [] })).toEqual([
      'auth.issuers: auth.issuers needs at least one authorization server',
    ]);
    expect(errorsOf({ issuers: [{ name: 'corp', issuer: 'http://id.example.com' }] })).toEqual([
      'auth.issuers.0.issuer: auth.issuers[].issuer must use https (plain http is only accepted on localhost, 127.0.0.1 or [::1])',
    ]);
    const twice = { name: 'corp', issuer: 'https://id.example.com' };
    expect(errorsOf({ issuers: [twice, twice] })).toEqual([
      'auth.issuers: auth.issuers: each name must be used once',
    ]);
    const unset = errorsOf({
      issuers: [{ ...twice, introspection: { clientId: 'gw', clientSecret: '${MISSING_SECRET}' } }],
    });
    expect(unset).toEqual([
      'auth.issuers.0.introspection.clientSecret: ${MISSING_SECRET} is not set; set it, or write ${MISSING_SECRET:-default}',
    ]);
  });

  it('never quotes the secret in an error', () => {
    const errors = errorsOf(
      {
        issuers: [
          {
            name: 'bad name!',
            issuer: 'https://id.example.com',
            introspection: { clientId: 'gw', clientSecret: '${S}' },
          },
        ],
      },
      { S: 'very-secret-value-0123' },
    );
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).not.toContain('very-secret-value-0123');
  });
});
