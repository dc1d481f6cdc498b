import { describe, expect, it } from 'vitest';

import { toBackendSpec } from '../../../../src/backends/backend-spec.js';
import { ServerConfigSchema } from '../../../../src/backends/server-config.js';

const URL = 'https://tracker.example.com/mcp';

describe("a server's oauth section", () => {
  it('is on by default for a remote backend without an Authorization header, and off otherwise', () => {
    expect(toBackendSpec('t', { url: URL }, '/').oauth).toMatchObject({
      grant: 'authorization_code',
      callbackPort: 0,
    });
    expect(
      toBackendSpec('t', { url: URL, headers: { authorization: 'Bearer x' } }, '/').oauth,
    ).toBeUndefined();
    expect(toBackendSpec('t', { url: URL, oauth: false }, '/').oauth).toBeUndefined();
    expect(toBackendSpec('t', { command: 'node' }, '/').oauth).toBeUndefined();
  });

  it('joins scopes and keeps a configured client', () => {
    const spec = toBackendSpec(
      't',
      { url: URL, oauth: { clientId: 'gw', clientSecret: 's', scopes: ['a', 'b'] } },
      '/',
    );
    expect(spec.oauth).toMatchObject({ clientId: 'gw', clientSecret: 's', scope: 'a b' });
  });

  it('refuses the client credentials grant without a client, and oauth on a local server', () => {
    const machine = ServerConfigSchema.safeParse({ url: URL, oauth: { grant: 'client_credentials' } });
    expect(machine.error?.issues.map((issue) => issue.message)).toContain(
      'grant "client_credentials" needs a clientId and a clientSecret (or clientAuth "private_key_jwt")',
    );
    const local = ServerConfigSchema.safeParse({ command: 'node', oauth: {} });
    expect(local.error?.issues.map((issue) => issue.message).join()).toContain('"oauth" goes with "url"');
    const unknown = ServerConfigSchema.safeParse({ url: URL, oauth: { clientID: 'typo' } });
    expect(unknown.success).toBe(false);
  });
});
