/**
 * How a backend is written in the config file (and given to `register_server`): the zod schema the config section
 * `servers` is built from. The config loader composes it; code past loading works with the typed `ServerConfig`.
 */
import { z } from 'zod';

import { PinningModeSchema } from '../shared/pinning-mode.js';
import { splitArgs } from '../shared/split-args.js';

/** Backend names: what `register_server` accepts and what prefixes a backend's tools. */
export const SERVER_NAME_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** The gateway's own secrets: never handed to a backend, even one that inherits the whole environment. */
export const GATEWAY_SECRET_ENV_KEYS: readonly string[] = ['MCP_GATEWAY_AUTH_TOKEN'];

/** Names of environment variables. */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The values of a server's `type`. */
export const SERVER_TYPES = ['stdio', 'http', 'streamable-http', 'sse'] as const;

/** A valid backend name. */
export const ServerNameSchema = z
  .string()
  .regex(SERVER_NAME_PATTERN, 'a server name is 1 to 32 letters, digits, "_" or "-"');

/** When and how often a backend that crashed is started again. Every field is optional. */
export const RestartPolicySchema = z.object({
  /** Restarts in a row before giving up (state `failed`); 0 turns restarting off. */
  maxAttempts: z.number().int().min(0).optional(),
  /** Delay before the first restart; doubled for each following one. */
  initialDelayMs: z.number().int().min(0).optional(),
  /** Ceiling of the delay. */
  maxDelayMs: z.number().int().min(0).optional(),
  /** Running this long after a (re)start resets the count of restarts in a row. */
  resetAfterMs: z.number().int().min(0).optional(),
});

/** A periodic ping; a backend that does not answer in time is restarted. */
export const HealthCheckSchema = z.object({
  intervalMs: z.number().int().positive(),
  timeoutMs: z.number().int().positive().optional(),
});

/** One backend in the config file, in the shape of a `claude_desktop_config.json` entry plus our own fields. */
export const ServerConfigSchema = z
  .object({
    /**
     * How the backend is reached, as MCP clients write it: `stdio` (a `command`), `http` or `streamable-http` (a
     * `url`, Streamable HTTP only), `sse` (a `url`, SSE only). When absent: `stdio` for a `command`; for a `url`,
     * Streamable HTTP falling back to SSE.
     */
    type: z.enum(SERVER_TYPES, { error: 'type is "stdio", "http", "streamable-http" or "sse"' }).optional(),
    /** The executable of a local backend (stdio). Exactly one of `command` and `url`. */
    command: z.string().min(1, 'command must not be empty').optional(),
    /** The endpoint of a remote backend (Streamable HTTP, falling back to SSE). */
    url: z.url({ protocol: /^https?$/, error: 'url must be an http:// or https:// URL' }).optional(),
    /** HTTP headers sent to a remote backend (e.g. Authorization). Never logged. */
    headers: z.record(z.string(), z.string()).optional(),
    /** Prefix of the backend's tool and prompt names (`<prefix>__<name>`); default the server name, "" for none. */
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]{0,32}$/, 'a prefix is 0 to 32 letters, digits, "_" or "-"')
      .optional(),
    /** Which of the backend's tools are exposed: only those in `allow`, or all but those in `deny`. */
    tools: z
      .union(
        [z.strictObject({ allow: z.array(z.string()) }), z.strictObject({ deny: z.array(z.string()) })],
        {
          error: 'tools is {"allow": [names]} or {"deny": [names]}',
        },
      )
      .optional(),
    /** An array of words, or a string split as a shell would (quotes respected; never run by a shell). */
    args: z
      .union([
        z.array(z.string()),
        z.string().refine((args) => splitsAsWords(args), {
          error: 'args cannot be split into words (an unclosed quote?); close it, or give args as an array',
        }),
      ])
      .optional(),
    env: z.record(z.string(), z.string()).optional(),
    /** Hand the backend the gateway's whole environment instead of the minimal one. */
    inheritEnv: z.boolean().optional(),
    /** Variables of the gateway's environment handed to the backend as they are, beside the minimal ones. */
    envPassthrough: z
      .array(
        z
          .string()
          .regex(ENV_NAME_PATTERN, 'a variable name is letters, digits and "_", not starting with a digit'),
      )
      .optional(),
    /** Listed but not started. */
    disabled: z.boolean().optional(),
    /** How long the first handshake (`initialize` and the tool list) may take; the gateway's default otherwise. */
    startupTimeoutMs: z.number().int().positive().optional(),
    /**
     * The protocol era to speak to it: `auto` (default: a local server gets `initialize` first, a remote one a
     * `server/discover` probe), `2025-11-25` (the 2025 handshake only) or `2026-07-28` (that revision only).
     */
    protocol: z.enum(['auto', '2025-11-25', '2026-07-28']).optional(),
    cwd: z.string().min(1).optional(),
    description: z.string().optional(),
    timeoutMs: z.number().int().positive().optional(),
    restart: z.union([z.literal(false), RestartPolicySchema]).optional(),
    healthCheck: HealthCheckSchema.optional(),
    maxMessageBytes: z.number().int().positive().optional(),
    /** This server's pinning mode, over the file's top-level `pinning`. */
    pinning: PinningModeSchema.optional(),
  })
  .refine((server) => (server.command === undefined) !== (server.url === undefined), {
    error: 'give exactly one of "command" (a local server) and "url" (a remote one)',
  })
  .refine(
    (server) => server.type === undefined || (server.type === 'stdio') === (server.command !== undefined),
    { error: 'type "stdio" goes with "command"; "http", "streamable-http" and "sse" go with "url"' },
  );

/** Limits on `register_server`. Servers listed in the file itself are not subject to them. */
export const RegistrationConfigSchema = z.object({
  /**
   * Executables `register_server` may start: names looked up on PATH, or paths (relative to this file's folder).
   * Compared by the file they resolve to. Absent: any; empty: none.
   */
  allowCommands: z.array(z.string().min(1)).optional(),
});

/** A restart policy as written in the file. */
export type RestartPolicyConfig = z.infer<typeof RestartPolicySchema>;
/** A health check as written in the file. */
export type HealthCheckConfig = z.infer<typeof HealthCheckSchema>;
/** A backend's configuration as written in the file. */
export type ServerConfig = z.infer<typeof ServerConfigSchema>;
/** The `registration` section as written in the file. */
export type RegistrationConfig = z.infer<typeof RegistrationConfigSchema>;

function splitsAsWords(args: string): boolean {
  try {
    splitArgs(args);
    return true;
  } catch {
    // The reason (an unclosed quote) goes into the schema's message.
    return false;
  }
}
