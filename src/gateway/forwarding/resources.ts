/**
 * Resources across backends: the lists merged (a URI belongs to the backend that listed it first), and reads and
 * subscriptions routed to the backend that owns the URI. An MCP App's `ui://` resource belongs to the backend whose
 * tool names it, listed or not (servers may leave them out of `resources/list`).
 */
import {
  ListResourcesResultSchema,
  ListResourceTemplatesResultSchema,
  ReadResourceResultSchema,
} from '@modelcontextprotocol/core';
import { UriTemplate } from '@modelcontextprotocol/server';
import type {
  ListResourcesResult,
  ListResourceTemplatesResult,
  Resource,
  ResourceTemplateType,
} from '@modelcontextprotocol/server';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Backend } from '../../shared/backend.js';
import { isUiResource } from '../hub/app-meta.js';
import {
  backendsWith,
  fanOut,
  forwardRequest,
  inputRoundOf,
  mappingErrors,
  paginate,
  type ForwardingContext,
} from './forwarding-context.js';

/** Every backend's resources, each URI once. */
export async function listResources(context: ForwardingContext): Promise<Resource[]> {
  const perBackend = await fanOut(context, 'resources', (backend) =>
    paginate<ListResourcesResult, Resource>(
      backend,
      'resources/list',
      ListResourcesResultSchema,
      (page) => page.resources,
      context.session.identity.principal,
    ),
  );
  const merged: Resource[] = [];
  const rights = context.session.access.rights();
  for (const { backend, items } of perBackend) {
    for (const resource of items) {
      const keptBy = context.catalog.claimResource(resource.uri, backend.name);
      // Claimed all the same: which backend owns a URI does not depend on who lists it.
      if (keptBy === undefined) {
        if (rights.decide('resource', backend.name, resource.uri).allowed) merged.push(resource);
      } else context.logger.warn(`resource ${resource.uri} of "${backend.name}" is hidden by "${keptBy}"`);
    }
  }
  return merged;
}

/** Every backend's resource templates that clients may see. */
export async function listTemplates(context: ForwardingContext): Promise<ResourceTemplateType[]> {
  const perBackend = await fanOut(context, 'resources', (backend) =>
    paginate<ListResourceTemplatesResult, ResourceTemplateType>(
      backend,
      'resources/templates/list',
      ListResourceTemplatesResultSchema,
      (page) => page.resourceTemplates,
      context.session.identity.principal,
    ),
  );
  // Templates withheld for a changed definition (pinning `enforce`) are left out, and reads through them refused.
  // Those the session may not read are left out too (a template is matched as its URI template is written).
  const rights = context.session.access.rights();
  return perBackend.flatMap(({ backend, items }) =>
    context.catalog
      .admitTemplates(backend.name, items)
      .filter((template) => rights.decide('resource', backend.name, template.uriTemplate).allowed),
  );
}

/**
 * The backend that owns `uri`: for an app's `ui://` resource, the backend whose tool names it; else the one that
 * listed it, or whose template matches it (the lists are fetched again when neither is known yet), or the only
 * backend with resources.
 */
export async function ownerOf(context: ForwardingContext, uri: string): Promise<Backend> {
  // The tool's link comes first: it names the resource its host renders, while another backend may list the same
  // `ui://` URI for an app of its own.
  const app = isUiResource(uri) ? context.catalog.apps().uiOwner(uri) : undefined;
  if (app) return app;
  const find = (): Backend | undefined => {
    const listed = context.catalog.resourceOwner(uri);
    if (listed) return listed;
    for (const [template, owner] of context.catalog.templates()) {
      // A template of a backend that has gone since it was listed matches nothing.
      const backend = context.catalog.directory.get(owner);
      if (backend && new UriTemplate(template).match(uri)) return backend;
    }
    return undefined;
  };
  let owner = find();
  if (!owner) {
    await Promise.all([listResources(context), listTemplates(context)]);
    owner = find();
  }
  const refusal = owner ? undefined : context.catalog.templateRefusal(uri);
  if (refusal) throw refusal;
  const candidates = backendsWith(context, 'resources');
  if (!owner && candidates.length === 1) owner = candidates[0];
  if (!owner) throw new GatewayError('resource_not_found', `Resource not found: ${uri}`, { data: { uri } });
  return owner;
}

/** The `resources/*` handlers. */
export function registerResourceHandlers(context: ForwardingContext): void {
  const { server, session } = context;
  server.setRequestHandler(
    'resources/list',
    mappingErrors(async () => ({
      resources: await listResources(context),
    })),
  );
  server.setRequestHandler(
    'resources/templates/list',
    mappingErrors(async () => ({
      resourceTemplates: await listTemplates(context),
    })),
  );
  server.setRequestHandler(
    'resources/read',
    mappingErrors(async (request, extra) => {
      const owner = await ownerOf(context, request.params.uri);
      return forwardRequest(
        context,
        owner,
        extra,
        (meta) =>
          owner.request(request, ReadResourceResultSchema, {
            signal: extra.mcpReq.signal,
            meta,
            inputRound: inputRoundOf(extra),
            clientCapabilities: context.session.peer.clientCapabilities(),
            principal: context.session.identity.principal,
          }),
        request,
      );
    }),
  );
  server.setRequestHandler(
    'resources/subscribe',
    mappingErrors(async (request, extra) => {
      const owner = await ownerOf(context, request.params.uri);
      await forwardRequest(
        context,
        owner,
        extra,
        () => owner.resources.subscribe(request.params.uri, session, { signal: extra.mcpReq.signal }),
        request,
      );
      session.subscriptions.add(request.params.uri);
      return {};
    }),
  );
  server.setRequestHandler(
    'resources/unsubscribe',
    mappingErrors(async (request, extra) => {
      const owner = await ownerOf(context, request.params.uri);
      await forwardRequest(
        context,
        owner,
        extra,
        () => owner.resources.unsubscribe(request.params.uri, session, { signal: extra.mcpReq.signal }),
        request,
      );
      session.subscriptions.delete(request.params.uri);
      return {};
    }),
  );
}
