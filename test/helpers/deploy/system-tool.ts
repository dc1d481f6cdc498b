/**
 * Programs the deploy tests run from the system (kubectl, nginx, haproxy, redis-server). Their tests are skipped
 * when one is absent, unless `MCP_GATEWAY_REQUIRE_DEPLOY_TOOLS` is set (CI sets it: there they must run).
 */
import { findProgram } from '../../../scripts/local-cluster/find-program.js';

export { findProgram };

/**
 * Why the tests needing `name` are skipped (with the Debian package to install), or undefined when it is here;
 * throws when it is missing and the tools are required.
 */
export function systemToolSkipReason(name: string, debianPackage: string): string | undefined {
  if (findProgram(name) !== undefined) return undefined;
  const install = `apt-get install -y ${debianPackage}`;
  if (process.env.MCP_GATEWAY_REQUIRE_DEPLOY_TOOLS) {
    throw new Error(`MCP_GATEWAY_REQUIRE_DEPLOY_TOOLS is set but ${name} is not installed (${install})`);
  }
  return `${name} is not installed (${install}); set MCP_GATEWAY_REQUIRE_DEPLOY_TOOLS=1 to fail instead`;
}
