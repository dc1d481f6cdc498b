/**
 * The access rules as the gateway takes them: the shape of the config's validated `access` section
 * (`auth/access-config.ts` holds its schema; the composition root hands the parsed section in).
 */

/** What a rule grants or takes away. Tools, prompts and resources are `server.name` patterns. */
export interface AccessGrant {
  readonly servers?: readonly string[] | undefined;
  readonly tools?: readonly string[] | undefined;
  readonly prompts?: readonly string[] | undefined;
  readonly resources?: readonly string[] | undefined;
  readonly pipelines?: boolean | readonly string[] | undefined;
  readonly gatewayTools?: readonly string[] | undefined;
}

/** Who a rule applies to: every key given must match, by any of its values (globs). */
export interface AccessMatch {
  readonly principals?: readonly string[] | undefined;
  readonly subjects?: readonly string[] | undefined;
  readonly groups?: readonly string[] | undefined;
  readonly scopes?: readonly string[] | undefined;
  readonly tokens?: readonly string[] | undefined;
}

/** One named rule. */
export interface AccessRule {
  readonly name: string;
  readonly match: AccessMatch;
  readonly allow?: AccessGrant | undefined;
  readonly deny?: AccessGrant | undefined;
}

/** The whole section. */
export interface AccessRules {
  /** What no rule that applies mentions. Default `deny`. */
  readonly default?: 'deny' | 'allow' | undefined;
  readonly rules: readonly AccessRule[];
}
