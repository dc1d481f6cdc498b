/**
 * The extensions a session announces in its capabilities: those the gateway passes on (see
 * `shared/routed-capabilities.ts`) that a backend uses when the session opens, as resources and prompts are
 * announced when a backend has them. MCP Apps servers rarely announce the extension themselves: a backend uses it
 * when one of its tools names a `ui://` resource, or when it announces it.
 */
import { PASSED_EXTENSIONS, UI_EXTENSION } from '../../shared/routed-capabilities.js';
import type { ForwardingContext } from './forwarding-context.js';

/** Adds the extensions the backends use to the session's capabilities; to call before the session connects. */
export function announceExtensions(context: ForwardingContext): void {
  const { catalog, server } = context;
  const announcedBy = (extension: string): boolean =>
    catalog.directory
      .list()
      .some(
        (backend) =>
          backend.state === 'ready' && backend.capabilities()?.extensions?.[extension] !== undefined,
      );
  const used = Object.entries(PASSED_EXTENSIONS).filter(
    ([extension]) => announcedBy(extension) || (extension === UI_EXTENSION && catalog.apps().hasApps),
  );
  if (used.length > 0) server.registerCapabilities({ extensions: Object.fromEntries(used) });
}
