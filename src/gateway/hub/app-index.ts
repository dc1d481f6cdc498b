/**
 * The MCP Apps of the ready backends, as their tools describe them: which backend each `ui://` resource belongs to
 * (the tool that names it says so, whether or not its server lists the resource), and every tool by the name its
 * own server gives it, which is the name an app calls it by. Rebuilt whenever the backends' tools change.
 */
import type { Tool } from '@modelcontextprotocol/server';
import type { GatewayError } from '../../errors/gateway-error.js';
import type { Backend } from '../../shared/backend.js';
import { toolPasses } from '../../shared/tool-filter.js';
import { uiResourceOf } from './app-meta.js';

/** A tool of a backend, under its own name. */
export interface BackendTool {
  readonly backend: Backend;
  readonly tool: Tool;
}

/** The refusal of a call to a tool withheld now, or undefined. */
export type ToolRefusal = (backend: string, tool: string) => GatewayError | undefined;

/** A `ui://` resource that tools of several backends name. */
export interface UiLinkConflict {
  readonly uri: string;
  /** The backend reads of the URI go to: the first, in registration order. */
  readonly keptBy: string;
  readonly others: readonly string[];
}

/** The apps of a set of backends. */
export class AppIndex {
  private constructor(
    /** Each `ui://` resource a tool names, to the backends whose tools name it, in registration order. */
    private readonly links: ReadonlyMap<string, readonly Backend[]>,
    private readonly byName: ReadonlyMap<string, readonly BackendTool[]>,
    private readonly refuse: ToolRefusal,
  ) {}

  /**
   * Indexes the tools of the ready backends. A resource is linked by the tools a client can see (those the
   * backend's filter lets through); tools by name include the ones the filter holds back, so that a call to one
   * is refused by the filter rather than sent to another backend's tool of the same name.
   */
  static build(backends: readonly Backend[], refuse: ToolRefusal = () => undefined): AppIndex {
    const links = new Map<string, Backend[]>();
    const byName = new Map<string, BackendTool[]>();
    for (const backend of backends) {
      if (backend.state !== 'ready') continue;
      for (const tool of backend.tools()) {
        const named = byName.get(tool.name) ?? [];
        named.push({ backend, tool });
        byName.set(tool.name, named);
        const uri = uiResourceOf(tool);
        if (uri === undefined || !toolPasses(tool.name, backend.toolFilter)) continue;
        const linking = links.get(uri) ?? [];
        if (!linking.includes(backend)) links.set(uri, [...linking, backend]);
      }
    }
    return new AppIndex(links, byName, refuse);
  }

  /** The refusal of a call to `tool` of `backend` when it is withheld now (a changed definition not approved). */
  refusal(backend: string, tool: string): GatewayError | undefined {
    return this.refuse(backend, tool);
  }

  /** The backend whose tool names `uri` as its app: the first in registration order when several do. */
  uiOwner(uri: string): Backend | undefined {
    return this.links.get(uri)?.[0];
  }

  /** The tools called `name` by their own server, in registration order. */
  toolsNamed(name: string): readonly BackendTool[] {
    return this.byName.get(name) ?? [];
  }

  /** Whether `backend` has an app: a tool a client can see that names a `ui://` resource. */
  hasApp(backend: Backend): boolean {
    for (const linking of this.links.values()) if (linking.includes(backend)) return true;
    return false;
  }

  /** Whether any backend has an app. */
  get hasApps(): boolean {
    return this.links.size > 0;
  }

  /** The `ui://` resources that tools of several backends name (reads go to the first). */
  conflicts(): UiLinkConflict[] {
    return [...this.links]
      .filter(([, linking]) => linking.length > 1)
      .map(([uri, [keptBy, ...others]]) => ({
        uri,
        keptBy: keptBy?.name ?? '',
        others: others.map((backend) => backend.name),
      }));
  }

  /** What the links are, to tell whether they changed. */
  signature(): string {
    return JSON.stringify([...this.links].map(([uri, linking]) => [uri, linking.map((b) => b.name)]));
  }
}
