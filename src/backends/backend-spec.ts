import path from 'node:path';

import { splitArgs } from '../shared/split-args.js';
import type { ToolFilter } from '../shared/tool-filter.js';
import type { RemoteKind } from './connection/remote-transport.js';
import { resolveOAuth, type OAuthSettings } from './oauth/oauth-config.js';
import { GATEWAY_SECRET_ENV_KEYS, type ServerConfig } from './server-config.js';
import { resolveRestartPolicy, type RestartPolicy } from './restart-policy.js';

/** Everything needed to start one backend, with paths resolved and arguments split. */
export interface BackendSpec {
  readonly name: string;
  /** A remote backend's endpoint; then `command` is empty and `args` too. */
  readonly url: string | undefined;
  /** How a remote backend is reached: Streamable HTTP (falling back to SSE unless the config says `http`), or SSE. */
  readonly remote: readonly RemoteKind[];
  /** HTTP headers for a remote backend. Never logged. */
  readonly headers: Readonly<Record<string, string>>;
  /** How a remote backend that asks for OAuth is authorized; undefined for none (a local one, or `oauth: false`). */
  readonly oauth: OAuthSettings | undefined;
  /** Prefix of the names the backend's tools and prompts are exposed under; "" for none. */
  readonly prefix: string;
  /** Which tools are exposed: `allow` lists the only ones, `deny` the ones left out. */
  readonly toolFilter: ToolFilter | undefined;
  readonly command: string;
  readonly args: readonly string[];
  /**
   * Variables set for this backend on top of the minimal inherited environment: those its `envPassthrough` names
   * (as the gateway had them when the spec was built), then its own `env`. Never logged.
   */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly description: string;
  /** Per-call timeout for this backend; the gateway's default when absent. */
  readonly timeoutMs: number | undefined;
  /** Hand over the gateway's whole environment (minus its own secrets) instead of the minimal one. */
  readonly inheritEnv: boolean;
  readonly restart: RestartPolicy;
  /** Periodic ping, when configured. */
  readonly healthCheck: { readonly intervalMs: number; readonly timeoutMs: number } | undefined;
  /** Largest message accepted from this backend; the gateway's default when absent. */
  readonly maxMessageBytes: number | undefined;
  /** How long the handshake (`initialize` and the tool list) may take; the gateway's default when absent. */
  readonly startupTimeoutMs: number | undefined;
  /** The protocol era to speak: `auto`, `2025-11-25` or `2026-07-28` (see the config's `protocol`). */
  readonly protocol: 'auto' | '2025-11-25' | '2026-07-28';
  /** Listed but never started. */
  readonly disabled: boolean;
}

/**
 * Variables a backend inherits from the gateway, the same short list as the SDK's default: enough to find
 * programs and a home folder, never the gateway's secrets.
 */
export const INHERITED_ENV_KEYS = ['PATH', 'HOME', 'USER', 'SHELL', 'TERM', 'LOGNAME'] as const;

/**
 * Builds a spec from a config entry. `baseDir` is the folder relative paths resolve against: a relative `cwd`, and
 * a `command` written as a relative path (`./bin/server`); the backend runs in `baseDir` when no `cwd` is given.
 * `parent` is the gateway's environment, read for the variables `envPassthrough` names.
 */
export function toBackendSpec(
  name: string,
  config: ServerConfig,
  baseDir: string,
  parent: NodeJS.ProcessEnv = process.env,
): BackendSpec {
  const cwd = config.cwd === undefined ? baseDir : path.resolve(baseDir, config.cwd);
  const written = config.command ?? '';
  const command = isRelativePath(written) ? path.resolve(baseDir, written) : written;
  return {
    name,
    url: config.url,
    headers: config.headers ?? {},
    oauth: config.url === undefined ? undefined : resolveOAuth(config.oauth, config.headers ?? {}, baseDir),
    prefix: config.prefix ?? name,
    toolFilter: config.tools,
    command,
    args: splitArgs(config.args),
    // The server's own `env` is the more specific: it wins over a variable also passed through.
    env: { ...passthroughEnv(config.envPassthrough ?? [], parent), ...config.env },
    cwd,
    description: config.description ?? '',
    timeoutMs: config.timeoutMs,
    inheritEnv: config.inheritEnv ?? false,
    restart: resolveRestartPolicy(config.restart),
    healthCheck: config.healthCheck && {
      intervalMs: config.healthCheck.intervalMs,
      timeoutMs: config.healthCheck.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS,
    },
    maxMessageBytes: config.maxMessageBytes,
    startupTimeoutMs: config.startupTimeoutMs,
    protocol: config.protocol ?? 'auto',
    disabled: config.disabled ?? false,
    remote: remoteKinds(config.type),
  };
}

/** The transports tried for a remote backend, in order. */
function remoteKinds(type: ServerConfig['type']): readonly RemoteKind[] {
  if (type === 'sse') return ['sse'];
  if (type === 'http' || type === 'streamable-http') return ['streamable-http'];
  return ['streamable-http', 'sse'];
}

/** How long a health-check ping may take when the config does not say. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 5000;

/**
 * The variables of `parent` that `names` lists, as they are: a name that is not set is left out, and so is a
 * gateway secret, named or not.
 */
export function passthroughEnv(names: readonly string[], parent: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = parent[name];
    if (value !== undefined && !GATEWAY_SECRET_ENV_KEYS.includes(name)) env[name] = value;
  }
  return env;
}

/**
 * The environment a backend process receives: the inherited allowlist (or, with `inheritAll`, everything but the
 * gateway's secrets) plus its own variables (a spec's `env`, which holds the `envPassthrough` ones too).
 */
export function buildChildEnv(
  own: Readonly<Record<string, string>>,
  inheritAll = false,
  parent: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  const keys = inheritAll ? Object.keys(parent) : INHERITED_ENV_KEYS;
  for (const key of keys) {
    const value = parent[key];
    if (value !== undefined && !GATEWAY_SECRET_ENV_KEYS.includes(key)) env[key] = value;
  }
  return Object.assign(env, own);
}

/** Characters that make a word read as something else on a command line (split, globbed, redirected). */
const SHELL_SPECIAL = /[\s"'\\()$`;&|<>*?!#~{}[\]]/;

/**
 * The command line as shown to users: a word that is empty or holds spaces or shell characters is quoted (as a JSON
 * string), so each argument reads as the one word the backend gets. Environment values never appear.
 */
export function formatCommandLine(spec: Pick<BackendSpec, 'command' | 'args' | 'url'>): string {
  if (spec.url !== undefined) return withoutCredentials(spec.url);
  return [spec.command, ...spec.args]
    .map((word) => (word === '' || SHELL_SPECIAL.test(word) ? JSON.stringify(word) : word))
    .join(' ');
}

function isRelativePath(command: string): boolean {
  return !path.isAbsolute(command) && (command.startsWith('./') || command.startsWith('../'));
}

/** A URL as shown to users: a user name and password (which some servers take in the URL) left out. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return '(not a valid URL)';
  }
}
