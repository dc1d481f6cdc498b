/**
 * `oauth.perPrincipal` in a server's config: off by default, `true` for the default limits, an object for others;
 * refused with the client credentials grant (no person per principal there).
 */
import { describe, expect, it } from 'vitest';

import { toBackendSpec } from '../../../../src/backends/backend-spec.js';
import { ServerConfigSchema } from '../../../../src/backends/server-config.js';

const URL = 'https://tracker.example.com/mcp';

describe("a server's oauth.perPrincipal", () => {
  it('is off by default, and true gives the default limits', () => {
    expect(toBackendSpec('t', { url: URL }, '/').oauth?.perPrincipal).toBeUndefined();
    expect(
      toBackendSpec('t', { url: URL, oauth: { perPrincipal: false } }, '/').oauth?.perPrincipal,
    ).toBeUndefined();
    expect(toBackendSpec('t', { url: URL, oauth: { perPrincipal: true } }, '/').oauth?.perPrincipal).toEqual({
      maxConnections: 100,
      idleTimeoutMs: 300_000,
    });
  });

  it('takes its limits from an object', () => {
    const perPrincipal = { maxConnections: 5, idleTimeoutMs: 1000 };
    expect(toBackendSpec('t', { url: URL, oauth: { perPrincipal } }, '/').oauth?.perPrincipal).toEqual(
      perPrincipal,
    );
    const partial = toBackendSpec('t', { url: URL, oauth: { perPrincipal: { maxConnections: 2 } } }, '/');
    expect(partial.oauth?.perPrincipal).toEqual({ maxConnections: 2, idleTimeoutMs: 300_000 });
  });

  it('refuses the client credentials and JWT bearer grants, a limit below one, and unknown keys', () => {
    const machine = ServerConfigSchema.safeParse({
      url: URL,
      oauth: { grant: 'client_credentials', clientId: 'm', clientSecret: 's', perPrincipal: true },
    });
    expect(machine.error?.issues.map((issue) => issue.message).join()).toContain(
      'perPrincipal needs a person per principal',
    );
    // The JWT bearer grants act for the gateway's workload or one person's ID token: no principal of their own.
    const workload = ServerConfigSchema.safeParse({
      url: URL,
      oauth: { perPrincipal: true, workloadIdentity: { tokenFile: 'token.jwt' } },
    });
    expect(workload.error?.issues.map((issue) => issue.message).join()).toContain(
      'it cannot go with grant "client_credentials", "enterprise" or "workloadIdentity"',
    );
    expect(
      ServerConfigSchema.safeParse({ url: URL, oauth: { perPrincipal: { maxConnections: 0 } } }).success,
    ).toBe(false);
    expect(ServerConfigSchema.safeParse({ url: URL, oauth: { perPrincipal: { max: 3 } } }).success).toBe(
      false,
    );
  });
});
