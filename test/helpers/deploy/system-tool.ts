/**
 * Programs the deploy tests run from the system (kubectl, nginx, haproxy, redis-server), found on PATH or in the
 * sbin folders a non-root PATH often lacks. Skipped when absent, unless `MCP_GATEWAY_REQUIRE_DEPLOY_TOOLS` is set
 * (CI sets it: there the tests must run).
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

const SBIN_FOLDERS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** The absolute path of program `name`, or undefined when it is not installed. */
export function findSystemTool(name: string): string | undefined {
  const folders = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SBIN_FOLDERS];
  for (const folder of folders) {
    const candidate = path.join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder: look in the next.
    }
  }
  return undefined;
}

/**
 * Why the tests needing `name` are skipped (with the Debian package to install), or undefined when it is here;
 * throws when it is missing and the tools are required.
 */
export function systemToolSkipReason(name: string, debianPackage: string): string | undefined {
  if (findSystemTool(name) !== undefined) return undefined;
  const install = `apt-get install -y ${debianPackage}`;
  if (process.env.MCP_GATEWAY_REQUIRE_DEPLOY_TOOLS) {
    throw new Error(`MCP_GATEWAY_REQUIRE_DEPLOY_TOOLS is set but ${name} is not installed (${install})`);
  }
  return `${name} is not installed (${install}); set MCP_GATEWAY_REQUIRE_DEPLOY_TOOLS=1 to fail instead`;
}
