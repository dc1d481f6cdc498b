/**
 * The options of a backend's `oauth` section beyond a client id and secret: `private_key_jwt` client authentication
 * (RFC 7523), DPoP-bound tokens (RFC 9449), enterprise-managed authorization (an ID token exchanged at the
 * enterprise's identity provider for an ID-JAG, then the JWT bearer grant) and workload identity (the platform's
 * JWT as the JWT bearer grant's assertion). Secrets come through `${VAR}` or a file, never written in the config.
 */
import path from 'node:path';

import { z } from 'zod';

/** The JWS algorithms a `private_key_jwt` assertion can be signed with (a PKCS#8 key). */
export const CLIENT_ASSERTION_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;

/** A signing algorithm of {@link CLIENT_ASSERTION_ALGS}. */
export type ClientAssertionAlg = (typeof CLIENT_ASSERTION_ALGS)[number];

/** A secret as the config gives it: its value (written `${VAR}`), or a file read each time it is used. */
export type SecretSource = { readonly value: string } | { readonly file: string };

/** The JWT bearer grant's assertion, and where it comes from. */
export type AssertionGrant =
  | {
      readonly kind: 'enterprise';
      readonly idpTokenEndpoint: string;
      readonly idpClientId: string;
      /** Never logged. */
      readonly idpClientSecret: string | undefined;
      readonly idToken: SecretSource;
    }
  | { readonly kind: 'workload'; readonly token: SecretSource };

/** What the extensions of a backend's OAuth client need, resolved from its config. */
export interface OAuthExtensions {
  /** `private_key_jwt` client authentication: the key (never logged) and its algorithm. */
  readonly privateKeyJwt: { readonly key: SecretSource; readonly alg: ClientAssertionAlg } | undefined;
  /** Ask for DPoP-bound tokens and present them with a proof. */
  readonly dpop: boolean;
  /** The JWT bearer grant, when the backend is reached with one. */
  readonly assertion: AssertionGrant | undefined;
}

/** No extension: what a backend without these options gets. */
export const NO_EXTENSIONS: OAuthExtensions = { privateKeyJwt: undefined, dpop: false, assertion: undefined };

/** https, or http to a loopback host (a local identity provider). */
function isSecureEndpoint(text: string): boolean {
  if (!URL.canParse(text)) return true; // The URL check says what is wrong with it.
  const url = new URL(text);
  return url.protocol === 'https:' || ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
}

/** Exactly one of `value` and `file` is given. */
function oneOf(value: unknown, file: unknown): boolean {
  return (value === undefined) !== (file === undefined);
}

const EnterpriseSchema = z
  .strictObject({
    /** The identity provider's token endpoint, where the ID token is exchanged for an ID-JAG (RFC 8693). */
    idpTokenEndpoint: z
      .url({ protocol: /^https?$/, error: 'enterprise.idpTokenEndpoint must be an https:// URL' })
      .refine(isSecureEndpoint, {
        error: 'enterprise.idpTokenEndpoint must be https:// (http only to a loopback host)',
      }),
    /** The gateway's client id at the identity provider. */
    idpClientId: z
      .string({ error: 'enterprise.idpClientId is the client id at the identity provider' })
      .min(1),
    /** Its secret, for a confidential client there (write `"${VAR}"`). */
    idpClientSecret: z.string().min(1).optional(),
    /** The person's ID token from the identity provider (write `"${VAR}"`)... */
    idToken: z.string().min(1).optional(),
    /** ...or the file that holds it, read at each exchange. */
    idTokenFile: z.string().min(1).optional(),
  })
  .refine((section) => oneOf(section.idToken, section.idTokenFile), {
    error: 'enterprise needs one of idToken ("${VAR}") and idTokenFile (a file holding the ID token)',
  });

const WorkloadIdentitySchema = z
  .strictObject({
    /** The platform's JWT (write `"${VAR}"`)... */
    token: z.string().min(1).optional(),
    /** ...or the file the platform keeps it in (read at each token request: platforms rotate it). */
    tokenFile: z.string().min(1).optional(),
  })
  .refine((section) => oneOf(section.token, section.tokenFile), {
    error:
      'workloadIdentity needs one of token ("${VAR}") and tokenFile (the file the platform writes its JWT to)',
  });

/** The extension fields of the `oauth` section, spread into its schema. */
export const OAUTH_EXTENSION_FIELDS = {
  /** `private_key_jwt`: authenticate with an assertion signed by `privateKey` / `privateKeyFile`. */
  clientAuth: z
    .enum(['private_key_jwt'], {
      error:
        'clientAuth is "private_key_jwt" (leave it out to authenticate with clientSecret or as a public client)',
    })
    .optional(),
  /** The PKCS#8 PEM private key; write `"${VAR}"`. Never logged. */
  privateKey: z.string().min(1).optional(),
  /** A file holding the PKCS#8 PEM private key (relative to the config file's folder). */
  privateKeyFile: z.string().min(1).optional(),
  /** The key's signing algorithm. */
  alg: z
    .enum(CLIENT_ASSERTION_ALGS, { error: `alg is one of ${CLIENT_ASSERTION_ALGS.join(', ')}` })
    .optional(),
  /** Ask for DPoP-bound tokens (RFC 9449). */
  dpop: z.boolean({ error: 'dpop is true or false' }).optional(),
  enterprise: EnterpriseSchema.optional(),
  workloadIdentity: WorkloadIdentitySchema.optional(),
};

/** The extension fields as written, with the core fields the checks read. */
type ExtensionFields = {
  readonly [key in keyof typeof OAUTH_EXTENSION_FIELDS]?: z.infer<(typeof OAUTH_EXTENSION_FIELDS)[key]>;
} & {
  readonly clientId?: string | undefined;
  readonly clientSecret?: string | undefined;
  readonly grant?: string;
};

/** The problems of the extension fields taken together (each message says what to write instead). */
export function extensionProblems(oauth: ExtensionFields): string[] {
  const problems: string[] = [];
  const keyFields =
    oauth.privateKey !== undefined || oauth.privateKeyFile !== undefined || oauth.alg !== undefined;
  if (oauth.clientAuth === 'private_key_jwt') {
    if (oauth.clientId === undefined)
      problems.push('clientAuth "private_key_jwt" needs the clientId its key is registered for');
    if (!oneOf(oauth.privateKey, oauth.privateKeyFile))
      problems.push('clientAuth "private_key_jwt" needs one of privateKey ("${VAR}") and privateKeyFile');
    if (oauth.alg === undefined)
      problems.push('clientAuth "private_key_jwt" needs alg, the signing algorithm of its key');
    if (oauth.clientSecret !== undefined) problems.push('clientAuth "private_key_jwt" takes no clientSecret');
  } else if (keyFields) {
    problems.push('privateKey, privateKeyFile and alg go with clientAuth "private_key_jwt"');
  }
  if (oauth.privateKey !== undefined && !/-----BEGIN PRIVATE KEY-----/.test(oauth.privateKey))
    problems.push(
      'privateKey must be a PKCS#8 PEM key ("-----BEGIN PRIVATE KEY-----"); write "${VAR}" to read it',
    );
  const grantSection = oauth.enterprise === undefined ? 'workloadIdentity' : 'enterprise';
  if (oauth.enterprise !== undefined && oauth.workloadIdentity !== undefined)
    problems.push('give one of enterprise and workloadIdentity, not both');
  if (oauth.enterprise !== undefined || oauth.workloadIdentity !== undefined) {
    if (oauth.clientId === undefined)
      problems.push(`${grantSection} needs the clientId registered with the backend's authorization server`);
    if (oauth.grant !== undefined)
      problems.push(`${grantSection} is a grant of its own (the JWT bearer grant): leave grant out`);
  }
  return problems;
}

/** The extensions of an `oauth` section; files are resolved against `baseDir`, the config file's folder. */
export function resolveExtensions(oauth: ExtensionFields | undefined, baseDir: string): OAuthExtensions {
  if (oauth === undefined) return NO_EXTENSIONS;
  const source = (value: string | undefined, file: string | undefined): SecretSource =>
    value === undefined ? { file: path.resolve(baseDir, file ?? '') } : { value };
  const { enterprise, workloadIdentity } = oauth;
  let assertion: AssertionGrant | undefined;
  if (enterprise !== undefined) {
    assertion = {
      kind: 'enterprise',
      idpTokenEndpoint: enterprise.idpTokenEndpoint,
      idpClientId: enterprise.idpClientId,
      idpClientSecret: enterprise.idpClientSecret,
      idToken: source(enterprise.idToken, enterprise.idTokenFile),
    };
  } else if (workloadIdentity !== undefined) {
    assertion = { kind: 'workload', token: source(workloadIdentity.token, workloadIdentity.tokenFile) };
  }
  return {
    privateKeyJwt:
      oauth.clientAuth === 'private_key_jwt' && oauth.alg !== undefined
        ? { key: source(oauth.privateKey, oauth.privateKeyFile), alg: oauth.alg }
        : undefined,
    dpop: oauth.dpop ?? false,
    assertion,
  };
}
