import { describe, expect, it } from 'vitest';

import { toBackendSpec } from '../../../../src/backends/backend-spec.js';
import { ServerConfigSchema } from '../../../../src/backends/server-config.js';
import { issueProblems } from '../../../../src/config/format-issues.js';

const URL = 'https://tracker.example.com/mcp';
const PEM =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----';

/** The messages of the problems of `oauth` as the config loader reports them, or [] when it is valid. */
function problems(oauth: Record<string, unknown>): string[] {
  const result = ServerConfigSchema.safeParse({ url: URL, oauth });
  return issueProblems(result.error?.issues ?? []).map((problem) => problem.message);
}

describe("the oauth section's private_key_jwt client authentication", () => {
  it('takes a key written as a variable, or a key file resolved against the config folder, with its alg', () => {
    const inline = { clientId: 'gw', clientAuth: 'private_key_jwt', privateKey: PEM, alg: 'ES256' };
    expect(problems(inline)).toEqual([]);
    expect(toBackendSpec('t', { url: URL, oauth: inline as never }, '/etc/gw').oauth?.extensions).toEqual({
      privateKeyJwt: { key: { value: PEM }, alg: 'ES256' },
      dpop: false,
      assertion: undefined,
    });
    const file = {
      clientId: 'gw',
      clientAuth: 'private_key_jwt',
      privateKeyFile: 'keys/gw.pem',
      alg: 'RS256',
    };
    expect(problems(file)).toEqual([]);
    const spec = toBackendSpec('t', { url: URL, oauth: file as never }, '/etc/gw');
    expect(spec.oauth?.extensions.privateKeyJwt).toEqual({
      key: { file: '/etc/gw/keys/gw.pem' },
      alg: 'RS256',
    });
    expect(spec.oauth?.grant).toBe('authorization_code');
  });

  it('serves the client credentials grant without a client secret', () => {
    const machine = {
      grant: 'client_credentials',
      clientId: 'gw',
      clientAuth: 'private_key_jwt',
      privateKeyFile: 'gw.pem',
      alg: 'ES256',
    };
    expect(problems(machine)).toEqual([]);
    expect(problems({ grant: 'client_credentials', clientId: 'gw' })).toEqual([
      'grant "client_credentials" needs a clientId and a clientSecret (or clientAuth "private_key_jwt")',
    ]);
  });

  it('refuses a missing client, key or alg, both key forms, a secret beside it, and a key that is not PEM', () => {
    expect(problems({ clientAuth: 'private_key_jwt' })).toEqual([
      'clientAuth "private_key_jwt" needs the clientId its key is registered for',
      'clientAuth "private_key_jwt" needs one of privateKey ("${VAR}") and privateKeyFile',
      'clientAuth "private_key_jwt" needs alg, the signing algorithm of its key',
    ]);
    const both = {
      clientId: 'gw',
      clientAuth: 'private_key_jwt',
      privateKey: PEM,
      privateKeyFile: 'k',
      alg: 'ES256',
    };
    expect(problems(both)).toEqual([
      'clientAuth "private_key_jwt" needs one of privateKey ("${VAR}") and privateKeyFile',
    ]);
    const secret = {
      clientId: 'gw',
      clientSecret: 's',
      clientAuth: 'private_key_jwt',
      privateKeyFile: 'k',
      alg: 'ES256',
    };
    expect(problems(secret)).toEqual(['clientAuth "private_key_jwt" takes no clientSecret']);
    const notPem = {
      clientId: 'gw',
      clientAuth: 'private_key_jwt',
      privateKey: 'hunter2-secret',
      alg: 'ES256',
    };
    const messages = problems(notPem);
    expect(messages).toEqual([
      'privateKey must be a PKCS#8 PEM key ("-----BEGIN PRIVATE KEY-----"); write "${VAR}" to read it',
    ]);
    expect(messages.join()).not.toContain('hunter2');
  });

  it('refuses an unknown clientAuth or alg, and key fields without clientAuth', () => {
    expect(problems({ clientId: 'gw', clientAuth: 'tls_client_auth' })).toEqual([
      'clientAuth is "private_key_jwt" (leave it out to authenticate with clientSecret or as a public client)',
    ]);
    expect(
      problems({ clientId: 'gw', clientAuth: 'private_key_jwt', privateKeyFile: 'k', alg: 'HS256' })[0],
    ).toMatch(/^alg is one of RS256, .*ES512$/);
    expect(problems({ clientId: 'gw', privateKeyFile: 'k' })).toEqual([
      'privateKey, privateKeyFile and alg go with clientAuth "private_key_jwt"',
    ]);
  });
});

describe("the oauth section's dpop option", () => {
  it('turns DPoP on, off by default, and takes only a boolean', () => {
    expect(problems({ dpop: true })).toEqual([]);
    expect(toBackendSpec('t', { url: URL, oauth: { dpop: true } }, '/').oauth?.extensions.dpop).toBe(true);
    expect(toBackendSpec('t', { url: URL }, '/').oauth?.extensions.dpop).toBe(false);
    expect(problems({ dpop: 'yes' })).toEqual(['dpop is true or false']);
  });
});

describe("the oauth section's enterprise-managed authorization", () => {
  const enterprise = { idpTokenEndpoint: 'https://idp.example.com/oauth2/token', idpClientId: 'gw-at-idp' };

  it('is the JWT bearer grant, with the ID token given as a variable or a file', () => {
    const oauth = { clientId: 'gw', clientSecret: 's', enterprise: { ...enterprise, idToken: 'eyJ.x.y' } };
    expect(problems(oauth)).toEqual([]);
    const settings = toBackendSpec('t', { url: URL, oauth }, '/etc/gw').oauth;
    expect(settings?.grant).toBe('jwt_bearer');
    expect(settings?.extensions.assertion).toEqual({
      kind: 'enterprise',
      idpTokenEndpoint: enterprise.idpTokenEndpoint,
      idpClientId: 'gw-at-idp',
      idpClientSecret: undefined,
      idToken: { value: 'eyJ.x.y' },
    });
    const fromFile = {
      clientId: 'gw',
      enterprise: { ...enterprise, idpClientSecret: 'x', idTokenFile: 'id.jwt' },
    };
    expect(problems(fromFile)).toEqual([]);
    expect(
      toBackendSpec('t', { url: URL, oauth: fromFile }, '/etc/gw').oauth?.extensions.assertion,
    ).toMatchObject({
      idpClientSecret: 'x',
      idToken: { file: '/etc/gw/id.jwt' },
    });
  });

  it('accepts http only to a loopback identity provider', () => {
    const local = { ...enterprise, idpTokenEndpoint: 'http://127.0.0.1:9000/token', idToken: 't' };
    expect(problems({ clientId: 'gw', enterprise: local })).toEqual([]);
    const plain = { ...enterprise, idpTokenEndpoint: 'http://idp.example.com/token', idToken: 't' };
    expect(problems({ clientId: 'gw', enterprise: plain })).toEqual([
      'enterprise.idpTokenEndpoint must be https:// (http only to a loopback host)',
    ]);
    expect(
      problems({ clientId: 'gw', enterprise: { ...enterprise, idpTokenEndpoint: 'idp', idToken: 't' } }),
    ).toEqual(['enterprise.idpTokenEndpoint must be an https:// URL']);
  });

  it('refuses a section without its ID token or client, with both ID token forms, or beside a grant', () => {
    expect(problems({ clientId: 'gw', enterprise })).toEqual([
      'enterprise needs one of idToken ("${VAR}") and idTokenFile (a file holding the ID token)',
    ]);
    expect(
      problems({ clientId: 'gw', enterprise: { ...enterprise, idToken: 't', idTokenFile: 'f' } }),
    ).toEqual(['enterprise needs one of idToken ("${VAR}") and idTokenFile (a file holding the ID token)']);
    expect(problems({ enterprise: { ...enterprise, idToken: 't' } })).toEqual([
      "enterprise needs the clientId registered with the backend's authorization server",
    ]);
    expect(
      problems({ clientId: 'gw', grant: 'authorization_code', enterprise: { ...enterprise, idToken: 't' } }),
    ).toEqual(['enterprise is a grant of its own (the JWT bearer grant): leave grant out']);
    expect(problems({ clientId: 'gw', enterprise: { idToken: 't' } }).join()).toContain('idpTokenEndpoint');
  });
});

describe("the oauth section's workload identity", () => {
  it("is the JWT bearer grant with the platform's JWT, from a file or a variable", () => {
    const oauth = { clientId: 'workload', workloadIdentity: { tokenFile: '/var/run/secrets/mcp/token' } };
    expect(problems(oauth)).toEqual([]);
    const settings = toBackendSpec('t', { url: URL, oauth }, '/etc/gw').oauth;
    expect(settings?.grant).toBe('jwt_bearer');
    expect(settings?.extensions.assertion).toEqual({
      kind: 'workload',
      token: { file: '/var/run/secrets/mcp/token' },
    });
    expect(problems({ clientId: 'workload', workloadIdentity: { token: 'eyJ.x.y' } })).toEqual([]);
  });

  it('refuses a section without exactly one token, without a client, beside enterprise, or with unknown keys', () => {
    const message =
      'workloadIdentity needs one of token ("${VAR}") and tokenFile (the file the platform writes its JWT to)';
    expect(problems({ clientId: 'w', workloadIdentity: {} })).toEqual([message]);
    expect(problems({ clientId: 'w', workloadIdentity: { token: 't', tokenFile: 'f' } })).toEqual([message]);
    expect(problems({ workloadIdentity: { token: 't' } })).toEqual([
      "workloadIdentity needs the clientId registered with the backend's authorization server",
    ]);
    const enterprise = { idpTokenEndpoint: 'https://idp.example.com/token', idpClientId: 'i', idToken: 't' };
    expect(problems({ clientId: 'w', workloadIdentity: { token: 't' }, enterprise })).toEqual([
      'give one of enterprise and workloadIdentity, not both',
    ]);
    expect(
      ServerConfigSchema.safeParse({ url: URL, oauth: { clientId: 'w', workloadIdentity: { file: 'f' } } })
        .success,
    ).toBe(false);
  });
});
