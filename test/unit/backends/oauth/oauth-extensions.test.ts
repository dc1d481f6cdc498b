/**
 * The runtime pieces of the `oauth` section's extensions, in process: secrets read from files (fresh at each use),
 * the private_key_jwt assertion (verified with the public key), the JWT bearer grant of workload identity, and the
 * ID token exchange of enterprise-managed authorization against an identity provider on a loopback port.
 */
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { exportPKCS8, generateKeyPair, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  assertionGrantRequest,
  JWT_BEARER_GRANT,
  RefusedAssertion,
} from '../../../../src/backends/oauth/extensions/assertion-grant.js';
import { privateKeyJwtAuthentication } from '../../../../src/backends/oauth/extensions/client-authentication.js';
import { DpopKey } from '../../../../src/backends/oauth/extensions/dpop.js';
import { readSecret } from '../../../../src/backends/oauth/extensions/secret-source.js';
import { makeTempDir, removeTempDir } from '../../../helpers/temp-dir.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir('oauth-extensions-');
});
afterAll(async () => {
  await removeTempDir(dir);
});

describe('a secret of the oauth section', () => {
  it('is its value, or the content of its file read again at each use', async () => {
    expect(await readSecret({ value: ' abc\n' }, 'the token')).toBe('abc');
    const file = path.join(dir, 'rotating.jwt');
    await writeFile(file, 'first\n');
    expect(await readSecret({ file }, 'the token')).toBe('first');
    await writeFile(file, 'second');
    expect(await readSecret({ file }, 'the token')).toBe('second');
  });

  it('names the file, never what it holds, when it cannot be used', async () => {
    const missing = path.join(dir, 'missing.jwt');
    await expect(readSecret({ file: missing }, 'the token')).rejects.toThrow(
      `cannot read the token from ${missing} (ENOENT); check the path in the oauth section`,
    );
    const empty = path.join(dir, 'empty.jwt');
    await writeFile(empty, ' \n');
    await expect(readSecret({ file: empty }, 'the token')).rejects.toThrow(
      `${empty} is empty; it should hold the token`,
    );
  });
});

describe('private_key_jwt client authentication', () => {
  it("adds an assertion signed with the key, issued by the client for the authorization server's issuer", async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const file = path.join(dir, 'client.pem');
    await writeFile(file, await exportPKCS8(privateKey));
    const authenticate = privateKeyJwtAuthentication('gw', { key: { file }, alg: 'ES256' });
    const headers = new Headers();
    const params = new URLSearchParams({ grant_type: 'client_credentials' });
    const issuer = 'https://as.example.com';
    await authenticate(headers, params, `${issuer}/token`, { issuer } as never);

    expect(params.get('client_assertion_type')).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
    const { payload } = await jwtVerify(params.get('client_assertion') ?? '', publicKey, {
      audience: issuer,
    });
    expect(payload).toMatchObject({ iss: 'gw', sub: 'gw' });
    expect(headers.get('authorization')).toBeNull();
  });

  it('says the key does not fit its alg, without the key, when it cannot sign', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportPKCS8(privateKey);
    const authenticate = privateKeyJwtAuthentication('gw', { key: { value: pem }, alg: 'ES256' });
    const failure = await Promise.resolve(
      authenticate(new Headers(), new URLSearchParams(), 'https://as/token'),
    ).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toMatch(
      /^cannot sign the private_key_jwt client assertion: the configured key is not a PKCS#8 PEM key for ES256/,
    );
    expect(failure?.message).not.toContain(pem.split('\n')[1]);
  });
});

describe('the JWT bearer grant', () => {
  const target = { issuer: 'http://127.0.0.1:1/as', resource: 'https://mcp.example.com/mcp' };

  it("of workload identity sends the platform's JWT as the assertion, with the scope", async () => {
    const file = path.join(dir, 'workload.jwt');
    await writeFile(file, 'eyJ.workload.jwt\n');
    const params = await assertionGrantRequest({ kind: 'workload', token: { file } }, target, 'mcp:read');
    expect(Object.fromEntries(params)).toEqual({
      grant_type: JWT_BEARER_GRANT,
      assertion: 'eyJ.workload.jwt',
      scope: 'mcp:read',
    });
  });

  describe('of enterprise-managed authorization', () => {
    let idp: Server;
    let endpoint: string;
    const requests: URLSearchParams[] = [];
    let answer: { status: number; body: unknown } = { status: 200, body: {} };

    beforeAll(async () => {
      idp = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          requests.push(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
          res
            .writeHead(answer.status, { 'content-type': 'application/json' })
            .end(JSON.stringify(answer.body));
        });
      });
      idp.listen(0, '127.0.0.1');
      await once(idp, 'listening');
      endpoint = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/token`;
    });
    afterAll(async () => {
      idp.closeAllConnections();
      await new Promise((resolve) => idp.close(resolve));
    });
    afterEach(() => {
      requests.length = 0;
    });

    const grant = () =>
      ({
        kind: 'enterprise',
        idpTokenEndpoint: endpoint,
        idpClientId: 'gw-at-idp',
        idpClientSecret: undefined,
        idToken: { value: 'eyJ.person.idtoken' },
      }) as const;

    it('exchanges the ID token for an ID-JAG addressed to the authorization server and resource', async () => {
      answer = {
        status: 200,
        body: {
          access_token: 'eyJ.id.jag',
          issued_token_type: 'urn:ietf:params:oauth:token-type:id-jag',
          token_type: 'N_A',
        },
      };
      const params = await assertionGrantRequest(grant(), target, undefined);
      expect(Object.fromEntries(params)).toEqual({ grant_type: JWT_BEARER_GRANT, assertion: 'eyJ.id.jag' });
      expect(Object.fromEntries(requests[0] ?? [])).toMatchObject({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        requested_token_type: 'urn:ietf:params:oauth:token-type:id-jag',
        subject_token: 'eyJ.person.idtoken',
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        audience: target.issuer,
        resource: target.resource,
        client_id: 'gw-at-idp',
      });
    });

    it('says which identity provider refused, and what to check, without the ID token', async () => {
      answer = { status: 400, body: { error: 'invalid_grant', error_description: 'ID token expired' } };
      const failure = await assertionGrantRequest(grant(), target, undefined).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(failure?.message).toBe(
        `the identity provider (${endpoint}) did not exchange the ID token for an ID-JAG: Token exchange failed: ` +
          'invalid_grant - ID token expired; check enterprise.idToken (it may have expired) and enterprise.idpClientId',
      );
      expect(failure?.message).not.toContain('eyJ.person');
    });
  });
});

describe('a refused assertion', () => {
  const workload = { kind: 'workload', token: { value: 'unused' } } as const;
  const request = (assertion: string) => new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion });

  it('is not sent again, while a new one is, and an accepted one clears the refusal', () => {
    const assertions = new RefusedAssertion();
    assertions.sending(request('old'), workload);
    assertions.refusedNow();
    expect(() => assertions.sending(request('old'), workload)).toThrow(
      "the authorization server refused the workload identity token (its answer is logged just before); the platform's " +
        'token may have expired or be meant for another audience; check workloadIdentity',
    );
    assertions.sending(request('rotated'), workload);
    assertions.accepted();
    assertions.refusedNow();
    expect(() => assertions.sending(request('rotated'), workload)).not.toThrow();
  });
});

describe("a session's DPoP key", () => {
  it('is one key for the life of the session when DPoP is on, and none when off', async () => {
    const key = new DpopKey(true);
    const first = await key.get();
    expect(first?.thumbprint).toMatch(/^[\w-]{43}$/);
    expect(await key.get()).toBe(first);
    expect(new DpopKey(false).get()).toBeUndefined();
  });
});
