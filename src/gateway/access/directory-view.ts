/**
 * The backend directory as a principal's access rights show it: the servers it may not see are unknown to it (not
 * listed, not found, not named in errors that list what exists); removing or restarting one is refused as for an
 * unknown name. Everything else is the directory's own.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { Backend, BackendDirectory } from '../../shared/backend.js';

/** `of`, showing only the servers `visible` says. */
export function restrictDirectory(
  of: BackendDirectory,
  visible: (name: string) => boolean,
): BackendDirectory {
  const list = (): Backend[] => of.list().filter((backend) => visible(backend.name));
  const describeNames = (): string =>
    list()
      .map((backend) => backend.name)
      .join(', ') || 'none';
  const known = (name: string): void => {
    if (!visible(name)) {
      throw new GatewayError('unknown_server', `unknown server "${name}"; registered: ${describeNames()}`, {
        backend: name,
      });
    }
  };
  return {
    get: (name) => (visible(name) ? of.get(name) : undefined),
    list,
    describeNames,
    register: (name, config, options) => of.register(name, config, options),
    remove: async (name) => {
      known(name);
      await of.remove(name);
    },
    restart: async (name) => {
      known(name);
      return of.restart(name);
    },
    on: (event, listener) => of.on(event, listener),
    off: (event, listener) => of.off(event, listener),
    attachUpwardHandler: (handler) => of.attachUpwardHandler(handler),
  };
}
