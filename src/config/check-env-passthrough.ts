/**
 * `envPassthrough` names variables of the gateway's environment handed to a backend as they are. A name that is
 * not set is simply not passed, and the gateway's own secrets never are: both are worth a warning, since the
 * backend will run without what the file asked for.
 */
import { GATEWAY_SECRET_ENV_KEYS } from '../backends/server-config.js';
import { formatJsonPath, isJsonObject, type ConfigProblem } from './config-problem.js';
import { SERVER_SECTIONS, type Environment } from './expand-variables.js';

/** A warning for every `envPassthrough` entry that will not reach its backend. */
export function checkEnvPassthrough(json: unknown, env: Environment): ConfigProblem[] {
  if (!isJsonObject(json)) return [];
  const problems: ConfigProblem[] = [];
  for (const section of SERVER_SECTIONS) {
    const servers = json[section];
    if (!isJsonObject(servers)) continue;
    for (const [name, server] of Object.entries(servers)) {
      const names = isJsonObject(server) ? server.envPassthrough : undefined;
      if (!Array.isArray(names)) continue;
      names.forEach((variable: unknown, index) => {
        const message = describe(variable, env);
        if (message === undefined) return;
        const path = formatJsonPath([section, name, 'envPassthrough', index]);
        problems.push({ severity: 'warning', path, message });
      });
    }
  }
  return problems;
}

function describe(variable: unknown, env: Environment): string | undefined {
  // Not a string: the schema reports it.
  if (typeof variable !== 'string') return undefined;
  if (GATEWAY_SECRET_ENV_KEYS.includes(variable)) {
    return `${variable} is the gateway's own secret and is never passed to a backend; remove it from envPassthrough`;
  }
  if (env[variable] === undefined) {
    return `${variable} is not set in the gateway's environment, so the backend will not get it; set it, or remove it from envPassthrough`;
  }
  return undefined;
}
