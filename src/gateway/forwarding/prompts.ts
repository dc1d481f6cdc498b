/**
 * Prompts across backends: listed under exposed names (`<prefix>__<name>`, as tools are), and fetched from the
 * backend a name stands for.
 */
import type { ListPromptsResult, Prompt } from '@modelcontextprotocol/server';
import { GetPromptResultSchema, ListPromptsResultSchema } from '@modelcontextprotocol/core';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Exposed } from '../hub/catalog.js';
import {
  fanOut,
  forwardRequest,
  inputRoundOf,
  mappingErrors,
  paginate,
  type ForwardingContext,
} from './forwarding-context.js';

/** Every backend's prompts under their exposed names; the catalog keeps the index for `prompts/get`. */
export async function listPrompts(context: ForwardingContext): Promise<Prompt[]> {
  const perBackend = await fanOut(context, 'prompts', (backend) =>
    paginate<ListPromptsResult, Prompt>(
      backend,
      'prompts/list',
      ListPromptsResultSchema,
      (page) => page.prompts,
      context.session.identity.principal,
    ),
  );
  const index = context.catalog.setPrompts(
    perBackend.flatMap(({ backend, items }) =>
      items.map((prompt) => ({ backend, originalName: prompt.name, item: prompt })),
    ),
  );
  const rights = context.session.access.rights();
  return [...index.byName.values()]
    .filter((entry) => rights.decide('prompt', entry.backend.name, entry.originalName).allowed)
    .map((entry) => ({ ...entry.item, name: entry.exposedName }));
}

/**
 * The prompt an exposed name stands for, listing again once when it is not known yet. A prompt withheld for a
 * changed definition (pinning `enforce`) is refused with the change named.
 */
export async function promptOf(context: ForwardingContext, exposedName: string): Promise<Exposed<Prompt>> {
  let entry = context.catalog.prompts().byName.get(exposedName);
  if (!entry) {
    await listPrompts(context);
    entry = context.catalog.prompts().byName.get(exposedName);
  }
  const refusal = context.catalog.promptRefusal(exposedName);
  if (refusal) throw refusal;
  if (!entry) {
    const rights = context.session.access.rights();
    const shown = [...context.catalog.prompts().byName.values()].filter(
      (prompt) => rights.decide('prompt', prompt.backend.name, prompt.originalName).allowed,
    );
    const available = shown.map((prompt) => prompt.exposedName).join(', ') || 'none';
    throw new GatewayError('unknown_prompt', `Unknown prompt "${exposedName}"; available: ${available}`);
  }
  return entry;
}

/** The `prompts/*` handlers. */
export function registerPromptHandlers(context: ForwardingContext): void {
  context.server.setRequestHandler(
    'prompts/list',
    mappingErrors(async () => ({
      prompts: await listPrompts(context),
    })),
  );
  context.server.setRequestHandler(
    'prompts/get',
    mappingErrors(async (request, extra) => {
      const entry = await promptOf(context, request.params.name);
      const forwarded = { method: request.method, params: { ...request.params, name: entry.originalName } };
      return forwardRequest(
        context,
        entry.backend,
        extra,
        (meta) =>
          entry.backend.request(forwarded, GetPromptResultSchema, {
            signal: extra.mcpReq.signal,
            meta,
            inputRound: inputRoundOf(extra),
            clientCapabilities: context.session.peer.clientCapabilities(),
            principal: context.session.identity.principal,
          }),
        forwarded,
      );
    }),
  );
}
