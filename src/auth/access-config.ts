/**
 * The config file's `access` section: which principals (stdio's `local`, HTTP's `anonymous`, static token names,
 * OAuth principals by subject, group or scope) may see and call which servers, tools, prompts, resources,
 * pipelines and registration tools. Rules that apply to a principal are unioned, a deny beats an allow, and what no
 * rule mentions follows `default` (`deny` unless said). No section: everything is allowed, as without rules.
 */
import { z } from 'zod';

/** The gateway tools a rule must grant by name (the others follow the rights they show or use). */
export const GUARDED_GATEWAY_TOOLS = ['register_server', 'remove_server', 'restart_server'] as const;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** `server.item`: a server name glob (no dot), a dot, and a glob of the item's own name. */
const QUALIFIED = /^[^.]+\.[^]+$/;

const globs = (where: string, example: string) =>
  z.array(
    z.string({ error: `${where}: each entry must be a string` }).min(1, `${where}: an entry is empty`),
    {
      error: `${where} must be a list of names or globs, e.g. ${example}`,
    },
  );
const qualified = (where: string, example: string) =>
  z.array(
    z
      .string({ error: `${where}: each entry must be a string` })
      .regex(QUALIFIED, `${where}: write "server.name" (globs allowed on each side), e.g. ${example}`),
    { error: `${where} must be a list of "server.name" patterns, e.g. ${example}` },
  );

/** What a rule grants (`allow`) or takes away (`deny`). */
const grant = (side: 'allow' | 'deny') =>
  z.object(
    {
      /** Whole servers: their tools, prompts and resources. */
      servers: globs(`access.rules[].${side}.servers`, '["weather", "db-*"]').optional(),
      /** Tools by `server.tool` (the backend's own tool name). */
      tools: qualified(`access.rules[].${side}.tools`, '["db.read_*"]').optional(),
      /** Prompts by `server.prompt`. */
      prompts: qualified(`access.rules[].${side}.prompts`, '["docs.*"]').optional(),
      /** Resources (and resource templates) by `server.uri`. */
      resources: qualified(`access.rules[].${side}.resources`, '["docs.file:///public/*"]').optional(),
      /** Named pipelines (`custom`: the caller's own steps), or true for all of them. */
      pipelines: z
        .union([z.boolean(), z.array(z.string().min(1))], {
          error: `access.rules[].${side}.pipelines must be true, false or a list of pipeline names (or "custom")`,
        })
        .optional(),
      /** The registration tools. */
      gatewayTools: z
        .array(z.enum([...GUARDED_GATEWAY_TOOLS, '*']), {
          error: `access.rules[].${side}.gatewayTools must list some of ${GUARDED_GATEWAY_TOOLS.join(', ')} (or "*")`,
        })
        .optional(),
    },
    { error: `access.rules[].${side} must be an object, e.g. {"servers": ["weather"]}` },
  );

/** Who a rule applies to: every key given must match (any of its values); at least one key. */
const MatchSchema = z
  .object(
    {
      /** The principal: `local`, `anonymous`, a static token's name, `<issuer>:<subject>`. */
      principals: globs('access.rules[].match.principals', '["corp:*", "local"]').optional(),
      /** An OAuth principal's subject. */
      subjects: globs('access.rules[].match.subjects', '["alice"]').optional(),
      /** An OAuth principal's groups or roles (the issuer's `groupsClaim`). */
      groups: globs('access.rules[].match.groups', '["admins"]').optional(),
      /** An OAuth principal's scopes. */
      scopes: globs('access.rules[].match.scopes', '["mcp:admin"]').optional(),
      /** A static token (`--auth-token name=token`), by name. */
      tokens: globs('access.rules[].match.tokens', '["ci"]').optional(),
    },
    { error: 'access.rules[].match must be an object, e.g. {"principals": ["local"]}' },
  )
  .refine((match) => Object.values(match).some((values) => values !== undefined), {
    message:
      'access.rules[].match needs principals, subjects, groups, scopes or tokens (use "principals": ["*"] for everyone)',
  });

/** One rule. */
const RuleSchema = z
  .object(
    {
      /** Named in refusals and the audit log. */
      name: z.string({ error: 'access.rules[].name is required, e.g. "readers"' }).regex(NAME, {
        error: 'access.rules[].name must be a short name (letters, digits, "_", ".", "-"), e.g. "readers"',
      }),
      match: MatchSchema,
      allow: grant('allow').optional(),
      deny: grant('deny').optional(),
    },
    { error: 'each of access.rules must be an object with name, match, and allow or deny' },
  )
  .refine((rule) => rule.allow !== undefined || rule.deny !== undefined, {
    message: 'access.rules[]: a rule needs "allow" or "deny"',
  });

/** The `access` section. */
export const AccessConfigSchema = z
  .object(
    {
      /** What nobody's rules mention: `deny` (default) or `allow`. */
      default: z.enum(['deny', 'allow'], { error: 'access.default is "deny" or "allow"' }).optional(),
      rules: z.array(RuleSchema, { error: 'access.rules must be a list of rules' }),
    },
    { error: 'access must be an object with "rules", e.g. {"rules": [{"name": "me", ...}]}' },
  )
  .refine((access) => new Set(access.rules.map((rule) => rule.name)).size === access.rules.length, {
    message: 'access.rules: each name must be used once',
    path: ['rules'],
  });

/** The validated `access` section. */
export type AccessConfig = z.output<typeof AccessConfigSchema>;
