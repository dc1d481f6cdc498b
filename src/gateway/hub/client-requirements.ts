/**
 * What a backend's request needs of the client that answers it. The gateway declares to every backend all it can
 * route (`shared/routed-capabilities.ts`), so a backend may ask for URL-mode elicitation or sampling with tools
 * whichever client's call caused the request: whether that client declared it is checked here, per request, down
 * to the sub-capability.
 */
import type { ClientCapabilities } from '@modelcontextprotocol/server';
import type { BackendMessage } from '../../shared/backend.js';

/** One thing a backend may ask a client for, and how to tell whether a client declared it. */
export interface ClientRequirement {
  /** What the backend asked for, in words: `URL-mode elicitation`, `sampling with tools`. */
  readonly asked: string;
  /** The capability the client must have declared, as a path: `elicitation.url`. */
  readonly capability: string;
  /** Whether a client that declared `capabilities` can serve it. */
  readonly metBy: (capabilities: ClientCapabilities | undefined) => boolean;
}

const SAMPLING: ClientRequirement = {
  asked: 'sampling',
  capability: 'sampling',
  metBy: (capabilities) => capabilities?.sampling !== undefined,
};

const SAMPLING_WITH_TOOLS: ClientRequirement = {
  asked: 'sampling with tools',
  capability: 'sampling.tools',
  metBy: (capabilities) => capabilities?.sampling?.tools !== undefined,
};

const ROOTS: ClientRequirement = {
  asked: 'the list of roots',
  capability: 'roots',
  metBy: (capabilities) => capabilities?.roots !== undefined,
};

/**
 * Form-mode elicitation. Since 2025-11-25 a client declares the modes it supports (`form`, `url`); one that
 * declares `elicitation` with neither (`elicitation: {}`, as every client did before) supports form mode only.
 */
const FORM_ELICITATION: ClientRequirement = {
  asked: 'form-mode elicitation',
  capability: 'elicitation.form',
  metBy: (capabilities) => {
    const elicitation = capabilities?.elicitation as Record<string, unknown> | undefined;
    if (elicitation === undefined) return false;
    return elicitation.form !== undefined || elicitation.url === undefined;
  },
};

/** URL-mode elicitation (SEP-1036): only for a client that declared `elicitation.url`. */
export const URL_ELICITATION: ClientRequirement = elicitationMode('url', 'URL-mode elicitation');

/** A mode the client must name in its `elicitation` capability. */
function elicitationMode(mode: string, asked: string): ClientRequirement {
  return {
    asked,
    capability: `elicitation.${mode}`,
    metBy: (capabilities) =>
      (capabilities?.elicitation as Record<string, unknown> | undefined)?.[mode] !== undefined,
  };
}

/**
 * What `request` needs of the client, or undefined for a request that needs no capability (ping, or a method the
 * gateway does not know, which it passes on all the same).
 */
export function requirementOf(request: BackendMessage): ClientRequirement | undefined {
  const params = request.params ?? {};
  switch (request.method) {
    case 'sampling/createMessage':
      // The SDKs read either field as a request to sample with tools (SEP-1577).
      return params.tools !== undefined || params.toolChoice !== undefined ? SAMPLING_WITH_TOOLS : SAMPLING;
    case 'elicitation/create': {
      // No mode is form mode (the only one before 2025-11-25); a mode that is not a string is the client's to refuse.
      const mode = typeof params.mode === 'string' ? params.mode : 'form';
      if (mode === 'form') return FORM_ELICITATION;
      if (mode === 'url') return URL_ELICITATION;
      // A mode of a later revision: the client must name it, as it names `url`.
      return elicitationMode(mode, `${mode}-mode elicitation`);
    }
    case 'roots/list':
      return ROOTS;
    default:
      return undefined;
  }
}

/** `URL-mode elicitation (capability elicitation.url)`, or `a way to answer it` for a request that needs nothing. */
export function describeNeed(needed: ClientRequirement | undefined): string {
  return needed ? `${needed.asked} (capability ${needed.capability})` : 'a way to answer it';
}
