/**
 * What the backends offer now, as every session sees it: the exposed tools (built on demand, cached until the
 * backends change), the search index over them, their MCP Apps, the prompts and resource owners as last listed,
 * and what the backends can do. `refresh()` says what changed after the directory changed.
 */
import type { Prompt, Tool } from '@modelcontextprotocol/server';
import type { Logger } from '../../logger.js';
import type { Backend, BackendDirectory } from '../../shared/backend.js';
import { ToolSearchIndex } from '../search/tool-search-index.js';
import { AppIndex } from './app-index.js';
import { buildToolCatalog, exposeNames, type ExposedSet } from './catalog.js';
import { PREFIX_SEPARATOR, qualifyName } from './tool-names.js';
import type { CatalogChange } from './session-router.js';
import type { AdvertisedCapabilities } from './session-state.js';

/** The backends' tools, prompts and resources as exposed to clients. */
export class LiveCatalog {
  private toolSet: ExposedSet<Tool> | undefined;
  private appIndex: AppIndex | undefined;
  private appSignature = '[]';
  private index: ToolSearchIndex | undefined;
  private toolSignature: string;
  private readySignature: string;
  private promptSet: ExposedSet<Prompt> = { byName: new Map(), conflicts: [] };
  /** Which backend listed each resource URI and template (by backend name), as last listed: routes reads. */
  private readonly resourceOwners = new Map<string, string>();
  private readonly templateOwners = new Map<string, string>();

  constructor(
    readonly directory: BackendDirectory,
    private readonly logger: Logger,
    /** Names backends may not take: the gateway's own tools. */
    private readonly reservedNames: ReadonlySet<string>,
  ) {
    this.toolSignature = signatureOf(this.tools());
    this.readySignature = this.readyNames();
  }

  /** The backend tools clients see, by exposed name. */
  tools(): ExposedSet<Tool> {
    this.toolSet ??= buildToolCatalog(this.directory.list(), this.reservedNames);
    return this.toolSet;
  }

  /**
   * The backend an exposed name belongs to when that backend is not ready: one of the tools it listed when it last
   * was, or any name under its prefix (a backend that never started has listed nothing). A call to it can then say
   * why it cannot be served (`backend "db" is failed: ...`) rather than that the tool does not exist.
   */
  unavailableTool(exposedName: string): { readonly backend: Backend; readonly tool: string } | undefined {
    for (const backend of this.directory.list()) {
      if (backend.state === 'ready') continue;
      const listed = backend.tools().find((tool) => qualifyName(backend.prefix, tool.name) === exposedName);
      if (listed) return { backend, tool: listed.name };
      const prefix = `${backend.prefix}${PREFIX_SEPARATOR}`;
      if (backend.prefix !== '' && exposedName.startsWith(prefix) && exposedName.length > prefix.length) {
        return { backend, tool: exposedName.slice(prefix.length) };
      }
    }
    return undefined;
  }

  /** The MCP Apps of the ready backends: which backend each `ui://` resource is of, and tools by their own name. */
  apps(): AppIndex {
    this.appIndex ??= AppIndex.build(this.directory.list());
    return this.appIndex;
  }

  /** The search index over the exposed backend tools, built on first use after the tools last changed. */
  searchIndex(): ToolSearchIndex {
    this.index ??= ToolSearchIndex.build(
      [...this.tools().byName.values()].map((entry) => ({
        backend: entry.backend.name,
        backendDescription: entry.backend.info().description,
        exposedName: entry.exposedName,
        tool: entry.item,
      })),
    );
    return this.index;
  }

  /** The backend prompts as last listed, by exposed name. */
  prompts(): ExposedSet<Prompt> {
    return this.promptSet;
  }

  /** Replaces the prompts after a `prompts/list` fan-out. */
  setPrompts(entries: Parameters<typeof exposeNames<Prompt>>[0]): ExposedSet<Prompt> {
    this.promptSet = exposeNames(entries, new Set());
    return this.promptSet;
  }

  /**
   * Records that `backend` listed the resource `uri`. When another backend listed it first, that one keeps it
   * (reads of the URI go to it) and its name is returned.
   */
  claimResource(uri: string, backend: string): string | undefined {
    const owner = this.resourceOwners.get(uri);
    // A backend removed since it listed the URI keeps nothing: the next one to list it owns it.
    if (owner !== undefined && owner !== backend && this.directory.get(owner) !== undefined) return owner;
    this.resourceOwners.set(uri, backend);
    return undefined;
  }

  /** Records that `backend` listed the resource template `uriTemplate`. */
  claimTemplate(uriTemplate: string, backend: string): void {
    this.templateOwners.set(uriTemplate, backend);
  }

  /** The backend that listed `uri`, as last listed. */
  resourceOwner(uri: string): Backend | undefined {
    const owner = this.resourceOwners.get(uri);
    return owner === undefined ? undefined : this.directory.get(owner);
  }

  /** The resource templates as last listed, with the backend of each. */
  templates(): IterableIterator<[template: string, backend: string]> {
    return this.templateOwners.entries();
  }

  /** The backend that listed the template `uriTemplate`, as last listed. */
  templateOwner(uriTemplate: string): Backend | undefined {
    const owner = this.templateOwners.get(uriTemplate);
    return owner === undefined ? undefined : this.directory.get(owner);
  }

  /** What the backends can do now, for a new session's capabilities. */
  currentCapabilities(): AdvertisedCapabilities {
    const all = this.directory.list().map((backend) => backend.capabilities() ?? {});
    return {
      resources: all.some((capabilities) => capabilities.resources),
      prompts: all.some((capabilities) => capabilities.prompts),
      logging: all.some((capabilities) => capabilities.logging),
      completions: all.some((capabilities) => capabilities.completions),
      tasks: all.some((capabilities) => capabilities.tasks?.requests?.tools?.call !== undefined),
    };
  }

  /**
   * After the directory changed: drops what is stale and says what changed (renamed tools, and app resources named
   * by tools of several backends, are logged).
   */
  refresh(): CatalogChange {
    this.toolSet = undefined;
    this.appIndex = undefined;
    this.warnOfUiConflicts();
    const toolSignature = signatureOf(this.tools());
    const readySignature = this.readyNames();
    const toolsChanged = toolSignature !== this.toolSignature;
    const membershipChanged = readySignature !== this.readySignature;
    this.toolSignature = toolSignature;
    this.readySignature = readySignature;
    if (toolsChanged) {
      this.index = undefined;
      for (const conflict of this.tools().conflicts) {
        this.logger.warn(
          `tool "${conflict.name}" of "${conflict.server}" is exposed as "${conflict.exposedAs}": its name is taken by ${conflict.conflictsWith}`,
        );
      }
    }
    return { toolsChanged, membershipChanged };
  }

  /** Says once, when the links change, which `ui://` resources tools of several backends name. */
  private warnOfUiConflicts(): void {
    const signature = this.apps().signature();
    if (signature === this.appSignature) return;
    this.appSignature = signature;
    for (const { uri, keptBy, others } of this.apps().conflicts()) {
      this.logger.warn(
        `app resource ${uri} is named by tools of ${[keptBy, ...others].map((name) => `"${name}"`).join(', ')}: ` +
          `reads of it go to "${keptBy}"`,
      );
    }
  }

  private readyNames(): string {
    return this.directory
      .list()
      .filter((backend) => backend.state === 'ready')
      .map((backend) => backend.name)
      .join('\n');
  }
}

function signatureOf(catalog: ExposedSet<Tool>): string {
  return JSON.stringify([...catalog.byName.values()].map((entry) => [entry.exposedName, entry.item]));
}
