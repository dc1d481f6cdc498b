/**
 * What the backends offer now, as every session sees it: the exposed tools (built on demand, cached until the
 * backends change), the search index over them, their MCP Apps, the prompts and resource owners as last listed,
 * and what the backends can do. `refresh()` says what changed after the directory changed. Every list is checked
 * against the pins as it is built (see pin-gate.ts): items withheld for a changed definition are left out, and a
 * call to one by its exposed name is refused with the change named.
 */
import type { Prompt, ResourceTemplateType, Tool } from '@modelcontextprotocol/server';
import { UriTemplate } from '@modelcontextprotocol/server';
import type { GatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../logger.js';
import type { Backend, BackendDirectory } from '../../shared/backend.js';
import { toolPasses } from '../../shared/tool-filter.js';
import { ToolSearchIndex } from '../search/tool-search-index.js';
import { AppIndex } from './app-index.js';
import { buildToolCatalog, exposeNames, withoutWithheld, type Exposed, type ExposedSet } from './catalog.js';
import { PinGate } from './pin-gate.js';
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
  /** Exposed names of the items withheld (pinning `enforce`) when the lists were last built. */
  private withheldTools: ReadonlyMap<string, Exposed<Tool>> = new Map();
  private withheldPrompts: ReadonlyMap<string, Exposed<Prompt>> = new Map();
  /** Withheld resource templates, by URI template: the backend and the template's name. */
  private readonly withheldTemplates = new Map<string, { readonly server: string; readonly name: string }>();
  /** Which backend listed each resource URI and template (by backend name), as last listed: routes reads. */
  private readonly resourceOwners = new Map<string, string>();
  private readonly templateOwners = new Map<string, string>();

  constructor(
    readonly directory: BackendDirectory,
    private readonly logger: Logger,
    /** Names backends may not take: the gateway's own tools. */
    private readonly reservedNames: ReadonlySet<string>,
    /** The pins every list is checked against. */
    readonly pins: PinGate = new PinGate(undefined),
  ) {
    this.toolSignature = signatureOf(this.tools());
    this.readySignature = this.readyNames();
  }

  /** The backend tools clients see, by exposed name: withheld ones left out. */
  tools(): ExposedSet<Tool> {
    if (!this.toolSet) {
      const withheld = this.observeTools();
      const { shown, withheld: held } = withoutWithheld(
        buildToolCatalog(this.directory.list(), this.reservedNames),
        (entry) => withheld.get(entry.backend.name)?.has(entry.originalName) === true,
      );
      this.toolSet = shown;
      this.withheldTools = held;
    }
    return this.toolSet;
  }

  /**
   * The backend an exposed name belongs to when that backend is not ready: one of the tools it listed when it last
   * was, or any name under its prefix (a backend that never started has listed nothing). A call to it can then say
   * why it cannot be served (`backend "db" is failed: ...`) rather than that the tool does not exist.
   *
   * @throws GatewayError `definition_changed` when the name is a tool withheld for a changed definition.
   */
  unavailableTool(exposedName: string): { readonly backend: Backend; readonly tool: string } | undefined {
    const held = this.withheldTools.get(exposedName);
    const refusal = held && this.pins.refusal(held.backend.name, 'tool', held.originalName);
    if (refusal) throw refusal;
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
    this.appIndex ??= AppIndex.build(this.directory.list(), (backend, tool) =>
      this.pins.refusal(backend, 'tool', tool),
    );
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

  /** Replaces the prompts after a `prompts/list` fan-out; those withheld are left out. */
  setPrompts(entries: Parameters<typeof exposeNames<Prompt>>[0]): ExposedSet<Prompt> {
    const withheld = new Map<string, ReadonlySet<string>>();
    for (const backend of new Set(entries.map((entry) => entry.backend))) {
      const items = entries.filter((entry) => entry.backend === backend).map((entry) => entry.item);
      withheld.set(backend.name, this.pins.observe(backend.name, 'prompt', items));
    }
    const { shown, withheld: held } = withoutWithheld(
      exposeNames(entries, new Set()),
      (entry) => withheld.get(entry.backend.name)?.has(entry.originalName) === true,
    );
    this.promptSet = shown;
    this.withheldPrompts = held;
    return this.promptSet;
  }

  /** The refusal of a `prompts/get` of `exposedName`, when it is a prompt withheld now. */
  promptRefusal(exposedName: string): GatewayError | undefined {
    const entry = this.promptSet.byName.get(exposedName) ?? this.withheldPrompts.get(exposedName);
    return entry && this.pins.refusal(entry.backend.name, 'prompt', entry.originalName);
  }

  /**
   * The resource templates `backend` listed that clients may see: each is checked against the pins, the withheld
   * ones are left out (and reads through them refused, see {@link templateRefusal}), the others claimed.
   */
  admitTemplates(backend: string, templates: readonly ResourceTemplateType[]): ResourceTemplateType[] {
    const withheld = this.pins.observe(backend, 'resourceTemplate', templates);
    const admitted: ResourceTemplateType[] = [];
    for (const template of templates) {
      if (withheld.has(template.name)) {
        this.withheldTemplates.set(template.uriTemplate, { server: backend, name: template.name });
        if (this.templateOwners.get(template.uriTemplate) === backend)
          this.templateOwners.delete(template.uriTemplate);
        continue;
      }
      if (this.withheldTemplates.get(template.uriTemplate)?.server === backend) {
        this.withheldTemplates.delete(template.uriTemplate);
      }
      this.claimTemplate(template.uriTemplate, backend);
      admitted.push(template);
    }
    return admitted;
  }

  /** The refusal of a read of `uri` when it matches a resource template withheld now. */
  templateRefusal(uri: string): GatewayError | undefined {
    for (const [template, { server, name }] of this.withheldTemplates) {
      const refusal = this.pins.refusal(server, 'resourceTemplate', name);
      if (refusal && new UriTemplate(template).match(uri)) return refusal;
    }
    return undefined;
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

  /**
   * Checks each ready backend's tools against the pins (those its filter lets through, app-only ones included: an
   * app calls them); returns the names withheld, by backend.
   */
  private observeTools(): Map<string, ReadonlySet<string>> {
    const withheld = new Map<string, ReadonlySet<string>>();
    for (const backend of this.directory.list()) {
      if (backend.state !== 'ready') continue;
      const tools = backend.tools().filter((tool) => toolPasses(tool.name, backend.toolFilter));
      withheld.set(backend.name, this.pins.observe(backend.name, 'tool', tools));
    }
    return withheld;
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
