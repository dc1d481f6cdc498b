/**
 * `private_key_jwt` client authentication (RFC 7523 §2.2): each token request carries a short-lived assertion signed
 * with the client's private key (the SDK's `createPrivateKeyJwtAuth`), instead of a client secret. The key is read at
 * each request, so a key file can be replaced while the gateway runs.
 */
import { createPrivateKeyJwtAuth, type AddClientAuthentication } from '@modelcontextprotocol/client';

import type { ClientAssertionAlg, SecretSource } from './extensions-config.js';
import { readSecret } from './secret-source.js';

/** What signs the assertion. */
export interface PrivateKeyJwt {
  readonly key: SecretSource;
  readonly alg: ClientAssertionAlg;
}

/**
 * The client authentication of `clientId` with `privateKeyJwt`: the assertion's `iss` and `sub` are the client id,
 * its `aud` the authorization server's issuer.
 */
export function privateKeyJwtAuthentication(
  clientId: string,
  privateKeyJwt: PrivateKeyJwt,
): AddClientAuthentication {
  const { key, alg } = privateKeyJwt;
  return async (headers, params, url, metadata) => {
    const privateKey = await readSecret(key, 'the private key');
    const sign = createPrivateKeyJwtAuth({ issuer: clientId, subject: clientId, privateKey, alg });
    try {
      await sign(headers, params, url, metadata);
    } catch (error) {
      // The SDK's message says what was wrong with the key (its format, or the algorithm), never the key itself.
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(
        `cannot sign the private_key_jwt client assertion: the configured key is not a PKCS#8 PEM key for ${alg} (${why})`,
        { cause: error },
      );
    }
  };
}
