/**
 * What one set of access rules (those that apply to a session) allows: every decision is made once, by glob
 * matching, and kept until the rules change (a reload builds new rights), so that a call pays a map lookup. The
 * filtered tool list and search index are kept per catalog list, built again only when the catalog's changes.
 *
 * A decision: a deny of any rule that applies wins; else an allow of any of them; else `access.default`.
 */
import type { Tool } from '@modelcontextprotocol/server';
import { GatewayError } from '../../errors/gateway-error.js';
import type { BackendDirectory } from '../../shared/backend.js';
import type { BackendInfo } from '../../shared/backend-info.js';
import type { ExposedSet } from '../hub/catalog.js';
import { ToolSearchIndex } from '../search/tool-search-index.js';
import type { CompiledGrant, CompiledRule } from './compiled-rules.js';
import { restrictDirectory } from './directory-view.js';

/** What a decision is about. `pipeline` and `gatewayTool` have no server. */
export type AccessKind = 'tool' | 'prompt' | 'resource' | 'pipeline' | 'gatewayTool';

/** A decision, with the reason of a refusal (which rule, which pattern; never the principal: rights are shared). */
export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

const ALLOWED: Decision = { allowed: true };

/**
 * How many decisions (and servers) are kept per kind: names come from clients too (`call_backend` may name
 * anything), so the memory starts again past it rather than grow without bound.
 */
const MAX_KEPT = 10_000;

/** The rights of the sessions a set of rules applies to. */
export class Rights {
  /** Everything allowed: no `access` section. */
  static readonly UNRESTRICTED = new Rights(undefined, true);

  /** By kind, then server, then name: no key is built on the call path. */
  private readonly decisions = new Map<AccessKind, Map<string, Map<string, Decision>>>();
  private readonly visible = new Map<string, boolean>();
  private readonly toolSets = new WeakMap<ExposedSet<Tool>, ExposedSet<Tool>>();
  private readonly indexes = new WeakMap<ExposedSet<Tool>, ToolSearchIndex>();
  private view: { readonly of: BackendDirectory; readonly view: BackendDirectory } | undefined;

  /** `rules`: those that apply, in config order; undefined: unrestricted. */
  constructor(
    private readonly rules: readonly CompiledRule[] | undefined,
    private readonly defaultAllows: boolean,
  ) {}

  /** Whether nothing is restricted (no `access` section): every check passes at once. */
  get unrestricted(): boolean {
    return this.rules === undefined;
  }

  /** The decision on one item, made once. */
  decide(kind: AccessKind, server: string, name: string): Decision {
    if (!this.rules) return ALLOWED;
    let byServer = this.decisions.get(kind);
    if (!byServer) this.decisions.set(kind, (byServer = new Map<string, Map<string, Decision>>()));
    let byName = byServer.get(server);
    if (!byName) {
      if (byServer.size >= MAX_KEPT) byServer.clear();
      byServer.set(server, (byName = new Map<string, Decision>()));
    }
    let decision = byName.get(name);
    if (!decision) {
      if (byName.size >= MAX_KEPT) byName.clear();
      byName.set(name, (decision = this.decideAnew(this.rules, kind, server, name)));
    }
    return decision;
  }

  /** Whether `tool` of `server` may be called. */
  allowsTool(server: string, tool: string): boolean {
    return this.decide('tool', server, tool).allowed;
  }

  /**
   * The refusal of an item for `principal`, or undefined when it is allowed: a `GatewayError` (`access_denied`)
   * naming the rule and the pattern, or the default.
   */
  refusal(principal: string, kind: AccessKind, server: string, name: string): GatewayError | undefined {
    const decision = this.decide(kind, server, name);
    if (decision.allowed) return undefined;
    const backend = server === '' ? undefined : server;
    return new GatewayError(
      'access_denied',
      `access denied: principal "${principal}" may not ${describeItem(kind, server, name)}: ${decision.reason}; ` +
        "an operator grants it in the config's access section",
      { backend, tool: kind === 'tool' || kind === 'prompt' ? name : undefined, data: { access: 'denied' } },
    );
  }

  /**
   * Whether `server` is shown at all (`list_servers`, `search_tools`, `call_backend`'s names): not denied whole by
   * a rule's `deny.servers`, and granted something by a rule (or by `default: "allow"`).
   */
  serverVisible(server: string): boolean {
    const rules = this.rules;
    if (!rules) return true;
    let shown = this.visible.get(server);
    if (shown === undefined) {
      const denied = rules.some((rule) => rule.deny?.servers.some((glob) => glob.test(server)));
      shown = !denied && (this.defaultAllows || rules.some((rule) => grantsSomethingOf(rule.allow, server)));
      if (this.visible.size >= MAX_KEPT) this.visible.clear();
      this.visible.set(server, shown);
    }
    return shown;
  }

  /** Whether some pipeline may run (`route_pipeline` is listed). */
  anyPipeline(): boolean {
    const rules = this.rules;
    if (!rules) return true;
    if (rules.some((rule) => rule.deny?.pipelines === true)) return false;
    return (
      this.defaultAllows ||
      rules.some((rule) => rule.allow?.pipelines === true || hasNames(rule.allow?.pipelines))
    );
  }

  /** The exposed tools these rights allow, kept per catalog list. */
  tools(all: ExposedSet<Tool>): ExposedSet<Tool> {
    if (!this.rules) return all;
    let shown = this.toolSets.get(all);
    if (!shown) {
      const byName = new Map(
        [...all.byName].filter(([, e]) => this.allowsTool(e.backend.name, e.originalName)),
      );
      const conflicts = all.conflicts.filter((conflict) => this.allowsTool(conflict.server, conflict.name));
      this.toolSets.set(all, (shown = { byName, conflicts }));
    }
    return shown;
  }

  /** The search index over the tools these rights allow; `full`: the catalog's, over every tool. */
  searchIndex(all: ExposedSet<Tool>, full: () => ToolSearchIndex): ToolSearchIndex {
    if (!this.rules) return full();
    let index = this.indexes.get(all);
    if (!index) {
      const entries = [...this.tools(all).byName.values()].map((entry) => ({
        backend: entry.backend.name,
        backendDescription: entry.backend.info().description,
        exposedName: entry.exposedName,
        tool: entry.item,
      }));
      this.indexes.set(all, (index = ToolSearchIndex.build(entries)));
    }
    return index;
  }

  /** The directory as these rights show it: hidden servers are unknown. */
  directory(of: BackendDirectory): BackendDirectory {
    if (!this.rules) return of;
    if (this.view?.of !== of)
      this.view = { of, view: restrictDirectory(of, (name) => this.serverVisible(name)) };
    return this.view.view;
  }

  /** A backend's `list_servers` entry with only the tools these rights allow. */
  info(info: BackendInfo): BackendInfo {
    if (!this.rules) return info;
    const tools = info.tools.filter((tool) => this.allowsTool(info.name, tool));
    return { ...info, tools, toolCount: tools.length };
  }

  private decideAnew(
    rules: readonly CompiledRule[],
    kind: AccessKind,
    server: string,
    name: string,
  ): Decision {
    for (const rule of rules) {
      const hit = rule.deny && grantHit(rule.deny, kind, server, name);
      if (hit) return { allowed: false, reason: `access rule "${rule.name}" denies it (deny.${hit})` };
    }
    if (rules.some((rule) => rule.allow && grantHit(rule.allow, kind, server, name))) return ALLOWED;
    if (this.defaultAllows) return ALLOWED;
    const applying = rules.map((rule) => `"${rule.name}"`).join(', ');
    return {
      allowed: false,
      reason:
        rules.length === 0
          ? 'no access rule applies to it, and access.default is "deny"'
          : `no access rule that applies (${applying}) allows it, and access.default is "deny"`,
    };
  }
}

/** The pattern of `grant` that covers the item, as the refusal quotes it (`tools "db.drop*"`). */
function grantHit(grant: CompiledGrant, kind: AccessKind, server: string, name: string): string | undefined {
  switch (kind) {
    case 'pipeline':
      if (grant.pipelines === true) return 'pipelines: true';
      return typeof grant.pipelines !== 'boolean' && grant.pipelines.has(name)
        ? `pipelines "${name}"`
        : undefined;
    case 'gatewayTool': {
      const named = ['*', name].find((entry) => grant.gatewayTools.has(entry));
      return named === undefined ? undefined : `gatewayTools "${named}"`;
    }
    default: {
      const whole = grant.servers.find((glob) => glob.test(server));
      if (whole) return `servers "${whole.text}"`;
      const item = grant[kind].find((glob) => glob.server.test(server) && glob.item.test(name));
      return item && `${kind}s "${item.text}"`;
    }
  }
}

/** Whether an allow grants anything of `server`: the server, or a tool, prompt or resource pattern naming it. */
function grantsSomethingOf(grant: CompiledGrant | undefined, server: string): boolean {
  if (!grant) return false;
  if (grant.servers.some((glob) => glob.test(server))) return true;
  return [grant.tool, grant.prompt, grant.resource].some((globs) =>
    globs.some((glob) => glob.server.test(server)),
  );
}

function hasNames(pipelines: boolean | ReadonlySet<string> | undefined): boolean {
  return typeof pipelines === 'object' && pipelines.size > 0;
}

function describeItem(kind: AccessKind, server: string, name: string): string {
  switch (kind) {
    case 'tool':
      return `call tool "${name}" of server "${server}"`;
    case 'prompt':
      return `get prompt "${name}" of server "${server}"`;
    case 'resource':
      return `read resource "${name}" of server "${server}"`;
    case 'pipeline':
      return `run pipeline "${name}"`;
    case 'gatewayTool':
      return `call the gateway tool "${name}"`;
  }
}
