/**
 * Handlers that forward the rest of the protocol to the backends: resources (by URI), prompts (by exposed name),
 * completion (by reference), logging levels, and the client's roots changes. Registered only for the
 * capabilities the session advertised.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import {
  CompleteRequestSchema,
  CompleteResultSchema,
  EmptyResultSchema,
  ErrorCode,
  GetPromptRequestSchema,
  GetPromptResultSchema,
  ListPromptsRequestSchema,
  ListPromptsResultSchema,
  ListResourcesRequestSchema,
  ListResourcesResultSchema,
  ListResourceTemplatesRequestSchema,
  ListResourceTemplatesResultSchema,
  ReadResourceRequestSchema,
  ReadResourceResultSchema,
  RootsListChangedNotificationSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type ListPromptsResult,
  type ListResourcesResult,
  type ListResourceTemplatesResult,
  type Prompt,
  type Resource,
  type ResourceTemplate,
} from '@modelcontextprotocol/sdk/types.js';

import { ProtocolError } from '../errors.js';
import type { Logger } from '../logger.js';
import { toForwardedError } from './forwarded-error.js';
import { callerOf, type GatewayHub, type SessionState } from './gateway-hub.js';
import type { Upstream } from './upstream.js';

/** JSON-RPC code of "resource not found" (MCP). */
const RESOURCE_NOT_FOUND = -32002;

/** Registers the forwarding handlers a session's capabilities call for. */
export function registerForwardingHandlers(
  server: Server,
  session: SessionState,
  hub: GatewayHub,
  logger: Logger,
): void {
  const withCapability = (key: 'resources' | 'prompts' | 'completions' | 'logging'): Upstream[] =>
    hub.directory.list().filter((upstream) => upstream.state === 'ready' && upstream.capabilities()?.[key]);

  /** Asks every backend that has `key`, in parallel; a backend that fails is logged and left out. */
  const fanOut = async <T>(key: 'resources' | 'prompts', ask: (upstream: Upstream) => Promise<T[]>) => {
    const upstreams = withCapability(key);
    const lists = await Promise.all(
      upstreams.map((upstream) =>
        ask(upstream).catch((error: unknown) => {
          logger.warn(`listing ${key} of "${upstream.name}" failed`, { error: (error as Error).message });
          return [] as T[];
        }),
      ),
    );
    return upstreams.map((upstream, index) => ({ upstream, items: lists[index] ?? [] }));
  };

  const listResources = async (): Promise<Resource[]> => {
    const owners = hub.resourceOwners;
    const perUpstream = await fanOut('resources', (upstream) =>
      paginate<ListResourcesResult, Resource>(
        upstream,
        'resources/list',
        ListResourcesResultSchema,
        (page) => page.resources,
      ),
    );
    const merged: Resource[] = [];
    for (const { upstream, items } of perUpstream) {
      for (const resource of items) {
        if (!owners.uris.has(resource.uri) || owners.uris.get(resource.uri) === upstream.name) {
          owners.uris.set(resource.uri, upstream.name);
          merged.push(resource);
        } else {
          logger.warn(
            `resource ${resource.uri} of "${upstream.name}" is hidden by "${owners.uris.get(resource.uri)}"`,
          );
        }
      }
    }
    return merged;
  };

  const listTemplates = async (): Promise<ResourceTemplate[]> => {
    const owners = hub.resourceOwners;
    const perUpstream = await fanOut('resources', (upstream) =>
      paginate<ListResourceTemplatesResult, ResourceTemplate>(
        upstream,
        'resources/templates/list',
        ListResourceTemplatesResultSchema,
        (page) => page.resourceTemplates,
      ),
    );
    const merged: ResourceTemplate[] = [];
    for (const { upstream, items } of perUpstream) {
      for (const template of items) {
        owners.templates.set(template.uriTemplate, upstream.name);
        merged.push(template);
      }
    }
    return merged;
  };

  /** The backend that owns `uri`: listed by it, matching one of its templates, or the only one with resources. */
  const ownerOf = async (uri: string): Promise<Upstream> => {
    const find = (): Upstream | undefined => {
      const owners = hub.resourceOwners;
      const byUri = owners.uris.get(uri);
      if (byUri !== undefined) return hub.directory.get(byUri);
      for (const [template, owner] of owners.templates) {
        if (new UriTemplate(template).match(uri)) return hub.directory.get(owner);
      }
      return undefined;
    };
    let owner = find();
    if (!owner) {
      await Promise.all([listResources(), listTemplates()]);
      owner = find();
    }
    const candidates = withCapability('resources');
    if (!owner && candidates.length === 1) owner = candidates[0];
    if (!owner) throw new ProtocolError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, { uri });
    return owner;
  };

  const promptOf = async (exposedName: string) => {
    let entry = hub.prompts().byName.get(exposedName);
    if (!entry) {
      await listPrompts();
      entry = hub.prompts().byName.get(exposedName);
    }
    if (!entry) {
      throw new ProtocolError(
        ErrorCode.InvalidParams,
        `Unknown prompt "${exposedName}"; available: ${[...hub.prompts().byName.keys()].join(', ') || 'none'}`,
      );
    }
    return entry;
  };

  const listPrompts = async (): Promise<Prompt[]> => {
    const perUpstream = await fanOut('prompts', (upstream) =>
      paginate<ListPromptsResult, Prompt>(
        upstream,
        'prompts/list',
        ListPromptsResultSchema,
        (page) => page.prompts,
      ),
    );
    const index = hub.setPrompts(
      perUpstream.flatMap(({ upstream, items }) =>
        items.map((prompt) => ({ upstream, originalName: prompt.name, item: prompt })),
      ),
    );
    return [...index.byName.values()].map((entry) => ({ ...entry.item, name: entry.exposedName }));
  };

  const forward = async <T>(
    upstream: Upstream,
    extra: Parameters<Parameters<typeof server.setRequestHandler>[1]>[1],
    run: () => Promise<T>,
  ) => {
    try {
      return await hub.track(upstream.name, session, callerOf(extra), run);
    } catch (error) {
      throw toForwardedError(error);
    }
  };

  if (session.advertised.resources) {
    server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: await listResources() }));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
      resourceTemplates: await listTemplates(),
    }));
    server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
      const owner = await ownerOf(request.params.uri);
      return forward(owner, extra, () =>
        owner.request(request, ReadResourceResultSchema, {
          signal: extra.signal,
          meta: request.params._meta,
        }),
      );
    });
    server.setRequestHandler(SubscribeRequestSchema, async (request, extra) => {
      const owner = await ownerOf(request.params.uri);
      await forward(owner, extra, () => owner.request(request, EmptyResultSchema, { signal: extra.signal }));
      session.subscriptions.add(request.params.uri);
      return {};
    });
    server.setRequestHandler(UnsubscribeRequestSchema, async (request, extra) => {
      const owner = await ownerOf(request.params.uri);
      await forward(owner, extra, () => owner.request(request, EmptyResultSchema, { signal: extra.signal }));
      session.subscriptions.delete(request.params.uri);
      return {};
    });
  }

  if (session.advertised.prompts) {
    server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: await listPrompts() }));
    server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
      const entry = await promptOf(request.params.name);
      const forwarded = { method: request.method, params: { ...request.params, name: entry.originalName } };
      return forward(entry.upstream, extra, () =>
        entry.upstream.request(forwarded, GetPromptResultSchema, { signal: extra.signal }),
      );
    });
  }

  if (session.advertised.completions) {
    server.setRequestHandler(CompleteRequestSchema, async (request, extra) => {
      const { ref } = request.params;
      let upstream: Upstream;
      let params: Record<string, unknown> = request.params;
      if (ref.type === 'ref/prompt') {
        const entry = await promptOf(ref.name);
        upstream = entry.upstream;
        params = { ...request.params, ref: { ...ref, name: entry.originalName } };
      } else {
        const owner = hub.resourceOwners.templates.get(ref.uri);
        upstream = (owner === undefined ? undefined : hub.directory.get(owner)) ?? (await ownerOf(ref.uri));
      }
      return forward(upstream, extra, () =>
        upstream.request({ method: request.method, params }, CompleteResultSchema, { signal: extra.signal }),
      );
    });
  }

  if (session.advertised.logging) {
    server.setRequestHandler(SetLevelRequestSchema, async (request) => {
      session.logLevel = request.params.level;
      // Backends are shared: the level goes to each of them; each session's own level filters what it receives.
      await Promise.all(
        withCapability('logging').map((upstream) =>
          upstream.request(request, EmptyResultSchema).catch((error: unknown) =>
            logger.debug(`logging/setLevel on "${upstream.name}" failed`, {
              error: (error as Error).message,
            }),
          ),
        ),
      );
      return {};
    });
  }

  server.setNotificationHandler(RootsListChangedNotificationSchema, async () => {
    await Promise.all(
      hub.directory.list().map((upstream) => upstream.notify({ method: 'notifications/roots/list_changed' })),
    );
  });
}

/** Every page of a paginated list. */
async function paginate<P extends { nextCursor?: string | undefined }, T>(
  upstream: Upstream,
  method: string,
  schema: Parameters<Upstream['request']>[1],
  items: (page: P) => T[],
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const page = (await upstream.request(
      cursor === undefined ? { method } : { method, params: { cursor } },
      schema,
    )) as P;
    all.push(...items(page));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return all;
}
