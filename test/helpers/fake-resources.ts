/**
 * Fake backends with resources, prompts and completion, for the forwarding tests: each answers the requests of
 * its capabilities from plain data, and says in every answer which backend gave it.
 */
import type {
  Prompt,
  Resource,
  ResourceTemplateType,
  ServerCapabilities,
} from '@modelcontextprotocol/server';
import { FakeBackend, type FakeBackendOptions, type FakeRequestHandler } from './fake-backend.js';

/** What a fake resource backend lists. */
export interface ResourceListing {
  readonly resources?: readonly Resource[];
  readonly templates?: readonly ResourceTemplateType[];
}

/** A resource with a URI and a name, nothing else. */
export function resource(uri: string, name = uri): Resource {
  return { uri, name };
}

/** The `resources/read` answer of backend `backend` for `uri`. */
export function readAnswer(backend: string, uri: string): Record<string, unknown> {
  return { contents: [{ uri, mimeType: 'text/plain', text: `${uri} as read by ${backend}` }] };
}

/**
 * A backend with resources (subscriptions included): it lists `listing`, reads any URI with
 * {@link readAnswer}, and accepts every subscription. `extra` adds options (more requests, capabilities...).
 */
export function resourceBackend(
  name: string,
  listing: ResourceListing,
  extra: FakeBackendOptions = {},
): FakeBackend {
  const requests: Record<string, FakeRequestHandler> = {
    'resources/list': () => ({ resources: [...(listing.resources ?? [])] }),
    'resources/templates/list': () => ({ resourceTemplates: [...(listing.templates ?? [])] }),
    'resources/read': (params) => readAnswer(name, String(params.uri)),
    'resources/subscribe': () => ({}),
    'resources/unsubscribe': () => ({}),
  };
  const capabilities: ServerCapabilities = { resources: { subscribe: true }, ...extra.capabilities };
  return new FakeBackend(name, {
    ...extra,
    capabilities,
    requests: { ...requests, ...extra.requests },
  });
}

/** A backend with prompts: it lists `prompts` and answers `prompts/get` with the name and arguments it got. */
export function promptBackend(
  name: string,
  prompts: readonly Prompt[],
  extra: FakeBackendOptions = {},
): FakeBackend {
  return new FakeBackend(name, {
    ...extra,
    capabilities: { prompts: {}, ...extra.capabilities },
    requests: {
      'prompts/list': () => ({ prompts: [...prompts] }),
      'prompts/get': (params) => ({
        description: `${String(params.name)} of ${name}`,
        messages: [
          {
            role: 'user',
            content: { type: 'text', text: `${String(params.name)} ${JSON.stringify(params.arguments)}` },
          },
        ],
      }),
      ...extra.requests,
    },
  });
}

/** The names of backend requests, in the order they arrived. */
export function methodsOf(backend: FakeBackend): string[] {
  return backend.requests.map((request) => request.method);
}
