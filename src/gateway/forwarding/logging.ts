/**
 * `logging/setLevel`, and the client's roots changes: what a client tells every backend.
 */
import { EmptyResultSchema } from '@modelcontextprotocol/core';
import { backendsWith, mappingErrors, type ForwardingContext } from './forwarding-context.js';

/** The `logging/setLevel` handler. */
export function registerLoggingHandler(context: ForwardingContext): void {
  context.server.setRequestHandler(
    'logging/setLevel',
    mappingErrors(async (request) => {
      context.session.logLevel = request.params.level;
      // Backends are shared: the level goes to each of them; each session's own level filters what it receives.
      await Promise.all(
        backendsWith(context, 'logging').map((backend) =>
          backend.request(request, EmptyResultSchema).catch((error: unknown) =>
            context.logger.debug(`logging/setLevel on "${backend.name}" failed`, {
              error: (error as Error).message,
            }),
          ),
        ),
      );
      return {};
    }),
  );
}

/** A client's `notifications/roots/list_changed` goes to every backend (each asks for the roots again). */
export function registerRootsHandler(context: ForwardingContext): void {
  context.server.setNotificationHandler('notifications/roots/list_changed', async () => {
    await Promise.all(
      context.catalog.directory
        .list()
        .map((backend) => backend.notify({ method: 'notifications/roots/list_changed' })),
    );
  });
}
