/**
 * Everything that can be checked about a parsed config without touching the file system: variables (errors when
 * unset), the schema (errors), unknown keys and `envPassthrough` entries that will not reach their backend
 * (warnings). Shared by the loader, which refuses a config with errors, and by `mcp-gateway validate`.
 */
import { GATEWAY_SECRET_ENV_KEYS } from '../backends/server-config.js';
import { checkEnvPassthrough } from './check-env-passthrough.js';
import { isPathWithin, type ConfigProblem } from './config-problem.js';
import { expandAuthVariables, expandServerVariables, type Environment } from './expand-variables.js';
import { issueProblems } from './format-issues.js';
import { GatewayConfigSchema, type GatewayConfig } from './schema.js';
import { findUnknownKeys } from './unknown-keys.js';

/** Where `${VAR}` references are read from. */
export interface CheckOptions {
  readonly env: Environment;
}

/** The outcome of {@link checkConfig}. */
export interface CheckedConfig {
  /** The validated config with variables expanded; undefined when there is any error. */
  readonly config: GatewayConfig | undefined;
  /** The parsed file with variables expanded, valid or not: what further checks look at. */
  readonly expanded: unknown;
  /** Errors first, then warnings, each group in the order found. */
  readonly problems: readonly ConfigProblem[];
}

/** Expands, validates and lints a parsed config file. */
export function checkConfig(json: unknown, options: CheckOptions): CheckedConfig {
  const expansionOptions = { env: options.env, reserved: GATEWAY_SECRET_ENV_KEYS };
  const expansion = expandAuthVariables(expandServerVariables(json, expansionOptions), expansionOptions);
  const parsed = GatewayConfigSchema.safeParse(expansion.json);
  // A reference that could not be expanded leaves text the schema may refuse too (a `url` of "${API_URL}"): the
  // reference is the problem to report, once.
  const schemaErrors = parsed.success
    ? []
    : issueProblems(parsed.error.issues).filter(
        (issue) => !expansion.problems.some((problem) => isPathWithin(issue.path, problem.path)),
      );
  const errors = [...expansion.problems, ...schemaErrors];
  const warnings = [...findUnknownKeys(GatewayConfigSchema, json), ...checkEnvPassthrough(json, options.env)];
  return {
    config: parsed.success && errors.length === 0 ? parsed.data : undefined,
    expanded: expansion.json,
    problems: [...errors, ...warnings],
  };
}
