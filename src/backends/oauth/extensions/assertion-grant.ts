/**
 * The JWT bearer grant (RFC 7523 §2.1) of a backend reached without a person: with workload identity, the assertion
 * is the platform's JWT; with enterprise-managed authorization, the person's ID token is first exchanged at the
 * enterprise's identity provider for an ID-JAG (RFC 8693 token exchange, the SDK's `requestJwtAuthorizationGrant`),
 * addressed to the backend's authorization server and resource.
 */
import { requestJwtAuthorizationGrant } from '@modelcontextprotocol/client';

import type { AssertionGrant } from './extensions-config.js';
import { readSecret } from './secret-source.js';

/** The grant type of the JWT bearer grant. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** What the token request is for, as the SDK's discovery found it. */
export interface GrantTarget {
  /** The backend's authorization server (its issuer): the ID-JAG's audience. */
  readonly issuer: string | undefined;
  /** The backend's resource indicator (its protected resource metadata's, or its URL). */
  readonly resource: string;
}

/** The parameters of a JWT bearer token request for `grant`, asking for `scope`. */
export async function assertionGrantRequest(
  grant: AssertionGrant,
  target: GrantTarget,
  scope: string | undefined,
): Promise<URLSearchParams> {
  const assertion =
    grant.kind === 'workload'
      ? await readSecret(grant.token, 'the workload identity token')
      : await exchangeIdToken(grant, target, scope);
  const params = new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion });
  if (scope) params.set('scope', scope);
  return params;
}

/** Exchanges the ID token for an ID-JAG at the identity provider. */
async function exchangeIdToken(
  grant: Extract<AssertionGrant, { kind: 'enterprise' }>,
  target: GrantTarget,
  scope: string | undefined,
): Promise<string> {
  if (target.issuer === undefined) throw new Error("the backend's authorization server is not known yet");
  const idToken = await readSecret(grant.idToken, 'the ID token');
  try {
    const result = await requestJwtAuthorizationGrant({
      tokenEndpoint: grant.idpTokenEndpoint,
      audience: target.issuer,
      resource: target.resource,
      idToken,
      clientId: grant.idpClientId,
      clientSecret: grant.idpClientSecret,
      ...(scope ? { scope } : {}),
    });
    return result.jwtAuthGrant;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(
      `the identity provider (${grant.idpTokenEndpoint}) did not exchange the ID token for an ID-JAG: ${why}; ` +
        'check enterprise.idToken (it may have expired) and enterprise.idpClientId',
      { cause: error },
    );
  }
}

/**
 * The assertion of the token request in flight, and one the authorization server refused: the SDK's `auth()`
 * discards the tokens and tries again once after an `invalid_grant` or `invalid_client`, and the same workload JWT
 * would only be refused again (and the second answer would hide the first). A refused assertion is therefore not
 * sent again; a new one (the platform rotated its token, or a new ID-JAG) is.
 */
export class RefusedAssertion {
  private inFlight: string | undefined;
  private refused: string | undefined;

  /**
   * Notes the assertion of `params` as sent.
   *
   * @throws When it is the one the authorization server refused last.
   */
  sending(params: URLSearchParams, grant: AssertionGrant): void {
    const assertion = params.get('assertion') ?? undefined;
    if (assertion !== undefined && assertion === this.refused) {
      const what = grant.kind === 'workload' ? 'the workload identity token' : 'the ID-JAG';
      const fix =
        grant.kind === 'workload'
          ? "the platform's token may have expired or be meant for another audience; check workloadIdentity"
          : 'check the enterprise section';
      throw new Error(`the authorization server refused ${what} (its answer is logged just before); ${fix}`);
    }
    this.inFlight = assertion;
  }

  /** The authorization server refused the token request in flight (the SDK discards the tokens). */
  refusedNow(): void {
    if (this.inFlight !== undefined) this.refused = this.inFlight;
    this.inFlight = undefined;
  }

  /** The token request in flight succeeded. */
  accepted(): void {
    this.inFlight = undefined;
    this.refused = undefined;
  }
}
