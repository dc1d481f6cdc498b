/**
 * Who may start what through `register_server`. Registering a backend starts a command on the gateway's host,
 * with the gateway's user and no sandbox, so the decision is taken here, before anything starts: whether
 * registration is on at all, and which executables it may start.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../logger.js';
import type { RegistrationPolicy, RegistrationRequest } from '../../shared/registration-policy.js';
import { splitArgs } from '../../shared/split-args.js';
import { withoutCredentials } from '../backend-spec.js';
import { resolveCommand } from './resolve-command.js';

/** Options of {@link createRegistrationPolicy}. */
export interface RegistrationPolicyOptions {
  /** `false` turns `register_server` off. */
  readonly enabled: boolean;
  /** Told to the client when registration is off: how the operator turns it on. */
  readonly howToEnable?: string | undefined;
  /**
   * Executables `register_server` may start: bare names looked up on `PATH`, or paths (relative ones against
   * `allowlistBaseDir`). Compared by the file they lead to. Absent: any executable; empty: none.
   */
  readonly allowCommands?: readonly string[] | undefined;
  /** Folder relative entries of `allowCommands` resolve against (the config file's folder). */
  readonly allowlistBaseDir?: string | undefined;
  readonly logger: Logger;
  /** The `PATH` to search; default the gateway's own. */
  readonly searchPath?: string | undefined;
}

/** Builds a policy that logs every registration it lets through (name, command, arguments) and every refusal. */
export function createRegistrationPolicy(options: RegistrationPolicyOptions): RegistrationPolicy {
  const { logger, allowCommands } = options;
  const refusal = (request: RegistrationRequest, reason: string): GatewayError => {
    logger.warn('register_server refused', { name: request.name, command: request.command, reason });
    return new GatewayError('registration_denied', reason, { backend: request.name });
  };

  return {
    authorize: async (request) => {
      if (!options.enabled) {
        throw refusal(
          request,
          "register_server is turned off on this gateway: it would start a command on the gateway's host. " +
            (options.howToEnable ?? 'The operator can turn it on.'),
        );
      }
      if (REMOTE_URL.test(request.command)) {
        // A remote backend starts no process, but it does make the gateway connect where the client says.
        if (allowCommands !== undefined) {
          throw refusal(
            request,
            'registration.allowCommands is set: only the local commands it lists may be registered, not a URL',
          );
        }
        logger.info('register_server: connecting to a remote backend', {
          name: request.name,
          url: withoutCredentials(request.command),
        });
        return request.command;
      }
      // Split first: an argument string that cannot be split is refused before anything starts.
      const args = splitArgs(request.args);
      let command = request.command;
      if (allowCommands !== undefined) {
        const requested = await resolveCommand(request.command, {
          baseDir: request.baseDir,
          searchPath: options.searchPath,
        });
        if (!requested)
          throw refusal(request, `command "${request.command}" was not found or is not executable`);
        const allowed = await allowedRealPaths(allowCommands, options);
        if (!allowed.has(requested.realPath)) {
          throw refusal(
            request,
            `command "${request.command}" (${requested.realPath}) is not in the gateway's registration.allowCommands ` +
              `(${allowCommands.join(', ') || 'empty: nothing may be registered'})`,
          );
        }
        command = requested.path;
      }
      logger.info('register_server: starting a backend', { name: request.name, command, args });
      return command;
    },
  };
}

const REMOTE_URL = /^https?:\/\//i;

// Resolved at every call, not once at startup: an allowed tool installed (or moved) later is found where it is now.
async function allowedRealPaths(
  entries: readonly string[],
  options: RegistrationPolicyOptions,
): Promise<Set<string>> {
  const resolved = await Promise.all(
    entries.map((entry) =>
      resolveCommand(entry, {
        baseDir: options.allowlistBaseDir ?? process.cwd(),
        searchPath: options.searchPath,
      }),
    ),
  );
  return new Set(resolved.flatMap((found) => (found ? [found.realPath] : [])));
}
