/**
 * A gateway never starts itself. Each gateway tells the backends it starts which config files are being served up
 * the chain (its own and its parents', in an environment variable every descendant inherits), and refuses an entry
 * that would start a gateway on one of them: pointing `--auto-register` at a client's config that also holds the
 * gateway's own entry would otherwise start gateways until something runs out. A gateway behind another gateway on
 * a different config, or over a `url`, stays possible.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';

import { GatewayError } from '../../errors/gateway-error.js';
import { detectGatewayLaunch } from '../../shared/gateway-launch.js';
import type { BackendSpec } from '../backend-spec.js';

/** The variable a gateway sets for its backends: the config files served up the chain, `path.delimiter`-separated. */
export const CONFIG_CHAIN_ENV = 'MCP_GATEWAY_CONFIG_CHAIN';

/** The config files served by the gateways up the chain of this process, as its environment says. */
export function inheritedConfigChain(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[CONFIG_CHAIN_ENV] ?? '').split(path.delimiter).filter((file) => file !== '');
}

/** A config file as the chain names it: its real path (links resolved), or its absolute path when it is missing. */
export function canonicalConfigPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    // A file that does not exist (yet) cannot be served either: its absolute path is as good a name.
    return path.resolve(file);
  }
}

/**
 * The config files served up the chain once this gateway serves `file` (undefined: none), its own last. Refuses
 * (`self_reference`) to serve a file a gateway up the chain already serves: a backstop behind each gateway's refusal
 * of such an entry, for a command line it could not recognise (a wrapper script, `sh -c`).
 */
export function enterConfigChain(file: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const inherited = inheritedConfigChain(env);
  if (file === undefined) return inherited;
  const own = canonicalConfigPath(file);
  if (inherited.includes(own)) {
    throw new GatewayError(
      'self_reference',
      `${file} is already served by the gateway that started this one: a gateway must not start itself. ` +
        "Remove the gateway's own entry from the servers of that config",
    );
  }
  return [...inherited, own];
}

/** Why `spec` must not start: it would start a gateway on a config file of `chain`. Undefined when it may. */
export function describeSelfReference(spec: BackendSpec, chain: readonly string[]): string | undefined {
  if (spec.url !== undefined || chain.length === 0) return undefined;
  const launch = detectGatewayLaunch({ command: spec.command, args: spec.args, cwd: spec.cwd });
  if (!launch.launchesGateway || launch.autoRegister === undefined) return undefined;
  const target = canonicalConfigPath(launch.autoRegister);
  if (!chain.includes(target)) return undefined;
  const whose = target === chain.at(-1) ? 'this gateway' : 'a gateway up the chain';
  return (
    `server "${spec.name}" starts a gateway on ${target}, which ${whose} is already serving: it would start ` +
    "itself again and again. Remove this entry from the config (the gateway is the client's entry, not a backend)"
  );
}
