/**
 * `completion/complete`: argument completion, asked of the backend that owns the prompt or resource template
 * referenced.
 */
import { CompleteResultSchema } from '@modelcontextprotocol/core';
import type { Backend } from '../../shared/backend.js';
import { forwardRequest, mappingErrors, type ForwardingContext } from './forwarding-context.js';
import { promptOf } from './prompts.js';
import { ownerOf } from './resources.js';

/** The completion handler. */
export function registerCompletionHandler(context: ForwardingContext): void {
  context.server.setRequestHandler(
    'completion/complete',
    mappingErrors(async (request, extra) => {
      const { ref } = request.params;
      let backend: Backend;
      let params: Record<string, unknown> = request.params;
      if (ref.type === 'ref/prompt') {
        const entry = await promptOf(context, ref.name);
        backend = entry.backend;
        params = { ...request.params, ref: { ...ref, name: entry.originalName } };
      } else {
        const refusal = context.catalog.templateRefusal(ref.uri);
        if (refusal) throw refusal;
        backend = context.catalog.templateOwner(ref.uri) ?? (await ownerOf(context, ref.uri));
      }
      return forwardRequest(
        context,
        backend,
        extra,
        (meta) =>
          backend.request({ method: request.method, params }, CompleteResultSchema, {
            signal: extra.mcpReq.signal,
            meta,
            principal: context.session.identity.principal,
          }),
        { method: request.method, params },
      );
    }),
  );
}
