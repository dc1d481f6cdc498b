/**
 * `list_servers()`: every backend with its state, command, tools, counters and last error, and the tool names that
 * had to change because another backend (or the gateway) had them first.
 */
import { z } from 'zod';

import { MEMORY_ONLY_ADVICE } from '../../pins/pin-advice.js';
import { PIN_KINDS } from '../../pins/pin-kinds.js';
import {
  BackendInfoSchema,
  ClusterStatusSchema,
  type BackendInfo,
  type ClusterStatus,
} from '../../shared/backend-info.js';
import { PINNING_MODES } from '../../shared/pinning-mode.js';
import { ConfigStatusSchema, type ConfigStatus } from '../../shared/config-status.js';
import { formatSeconds, formatUptime } from '../../shared/format-duration.js';
import type { NameConflict } from '../hub/catalog.js';
import type { GatewayTool } from './gateway-tool.js';

/** The tool's arguments: none. */
export const ListServersInput = z.object({});

/** A definition a backend changed since it was pinned, waiting for approval (see docs/pinning.md). */
export const PinChangeSchema = z.object({
  kind: z.enum(PIN_KINDS),
  /** The item's own name on its backend. */
  name: z.string(),
  /** The fields that differ from the pinned definition: `description`, `inputSchema`... */
  changedFields: z.array(z.string()),
  /** The server's pinning mode: `warn` (still served) or `enforce` (withheld until approved). */
  mode: z.enum(PINNING_MODES),
  /** Whether clients are kept from the item now. */
  withheld: z.boolean(),
  /** When the changed definition was first seen (ISO 8601). */
  firstSeen: z.string(),
  /** The commands that show and approve the change; null when the pins are in memory only (no state file). */
  review: z.string().nullable(),
  approve: z.string().nullable(),
});

/** The tool's `structuredContent`. */
export const ListServersOutput = z.object({
  servers: z.array(BackendInfoSchema.extend({ pinChanges: z.array(PinChangeSchema).optional() })),
  conflicts: z.array(
    z.object({ server: z.string(), name: z.string(), exposedAs: z.string(), conflictsWith: z.string() }),
  ),
  /** The config file in force; absent when the gateway runs without one. */
  config: ConfigStatusSchema.optional(),
  /** Each replica's state of every server, when the gateway runs in a cluster. */
  cluster: ClusterStatusSchema.optional(),
});

export const listServers: GatewayTool = {
  name: 'list_servers',
  description: () =>
    'List every registered backend: state (starting, ready, failed, stopped, disabled), description, command, ' +
    'tools, pid, uptime, calls and errors so far, the last error and when a failed one is retried, and tool, ' +
    'prompt or resource template definitions changed since they were pinned (pinChanges).',
  inputSchema: ListServersInput,
  outputSchema: ListServersOutput,
  annotations: { title: 'List backend servers', readOnlyHint: true },
  handler: async (_raw, context) => {
    // The directory shows only the servers the caller may see; of those, only the tools it may call.
    const rights = context.access.rights();
    const servers = context.directory.list().map((backend): ServerEntry => {
      const changes = context
        .pinChanges(backend.name)
        // A changed definition of a tool or prompt the caller may not use is none of its business.
        .filter(
          ({ kind, name }) => kind === 'resourceTemplate' || rights.decide(kind, backend.name, name).allowed,
        )
        .map(({ kind, name, changedFields, mode, withheld, firstSeen, review, approve }) => ({
          kind,
          name,
          changedFields: [...changedFields],
          mode,
          withheld,
          firstSeen,
          review,
          approve,
        }));
      return {
        ...rights.info(backend.info(context.access.principal)),
        ...(changes.length > 0 ? { pinChanges: changes } : {}),
      };
    });
    const conflicts = context
      .nameConflicts()
      .filter((conflict) => rights.allowsTool(conflict.server, conflict.name));
    const config = context.configStatus();
    const cluster = await context.directory.clusterStatus?.(servers.map((server) => server.name));
    const parts = [formatServerList(servers, conflicts)];
    if (config) parts.push(formatConfigStatus(config));
    if (cluster) parts.push(formatClusterStatus(cluster));
    return {
      content: [{ type: 'text', text: parts.join('\n\n') }],
      structuredContent: {
        servers,
        conflicts,
        ...(config ? { config } : {}),
        ...(cluster ? { cluster } : {}),
      },
    };
  },
};

/** One backend as `list_servers` shows it: its snapshot, and its definitions changed since pinned. */
type ServerEntry = z.infer<typeof ListServersOutput>['servers'][number];

/** One paragraph per backend, then the tool names that had to change. */
export function formatServerList(
  servers: readonly (BackendInfo & Pick<ServerEntry, 'pinChanges'>)[],
  conflicts: readonly NameConflict[] = [],
): string {
  if (servers.length === 0)
    return 'No servers registered. Use register_server, or start the gateway with --auto-register.';
  const lines = [`${servers.length} server(s):`];
  for (const server of servers) {
    lines.push('');
    lines.push(`${server.name} [${server.state}]${server.description ? ` - ${server.description}` : ''}`);
    lines.push(`  command: ${server.command}`);
    const uptime = server.uptimeMs === null ? '' : `, uptime ${formatUptime(server.uptimeMs)}`;
    lines.push(
      `  pid: ${server.pid ?? '-'}${uptime}, calls: ${server.calls}, errors: ${server.errors}, restarts: ${server.restarts}`,
    );
    if (server.nextRetryAt) {
      const inMs = Math.max(0, Date.parse(server.nextRetryAt) - Date.now());
      lines.push(`  retrying in ${formatSeconds(inMs)} (at ${server.nextRetryAt})`);
    }
    lines.push(`  tools (${server.toolCount}): ${server.tools.join(', ') || 'none'}`);
    if (server.lastError) lines.push(`  last error: ${server.lastError}`);
    for (const change of server.pinChanges ?? []) lines.push(...formatPinChange(change));
  }
  if (conflicts.length > 0) {
    lines.push('', 'Renamed tools (their names were taken):');
    for (const conflict of conflicts) {
      lines.push(
        `  ${conflict.server}.${conflict.name} -> ${conflict.exposedAs} (taken by ${conflict.conflictsWith})`,
      );
    }
  }
  return lines.join('\n');
}

/** A changed definition: what changed, what the gateway does about it, and the command that approves it. */
function formatPinChange(change: z.infer<typeof PinChangeSchema>): string[] {
  const label = change.kind === 'resourceTemplate' ? 'resource template' : change.kind;
  const effect = change.withheld ? 'WITHHELD until approved' : `still served (pinning "${change.mode}")`;
  const head = `  changed since pinned: ${label} "${change.name}" (${change.changedFields.join(', ')}), ${effect}`;
  if (change.review === null || change.approve === null) return [head, `    ${MEMORY_ONLY_ADVICE}`];
  return [head, `    review: ${change.review}`, `    approve: ${change.approve}`];
}

/** `config: /srv/gateway-config.json (watched; loaded ..., 2 reloads)`, and the last refused edit when there is one. */
export function formatConfigStatus(status: ConfigStatus): string {
  const how = status.watching ? 'watched, reloaded on save' : 'reloaded on SIGHUP';
  const lines = [
    `config: ${status.file} (${how}; in force since ${status.loadedAt}, ${status.reloads} reload(s))`,
  ];
  if (status.lastError !== null) {
    lines.push(
      `  last edit NOT applied (${status.lastErrorAt ?? ''}); the config above stays in force until the file is fixed:`,
      ...status.lastError.split('\n').map((line) => `  ${line}`),
    );
  }
  return lines.join('\n');
}

/** `cluster (replica r1; live: r1, r2):` then per server each replica's state. */
export function formatClusterStatus(status: ClusterStatus): string {
  const lines = [
    `cluster (this replica: ${status.replica}; live replicas: ${status.replicas.join(', ') || 'none'}):`,
  ];
  if (status.error !== undefined) lines.push(`  the cluster store could not be read: ${status.error}`);
  for (const [server, replicas] of Object.entries(status.servers)) {
    const states = Object.entries(replicas)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([replica, state]) => {
        const detail = state.lastError === null ? `${state.toolCount} tool(s)` : state.lastError;
        return `${replica} ${state.state} (${detail})`;
      });
    lines.push(`  ${server}: ${states.join('; ') || 'no replica reports it'}`);
  }
  return lines.join('\n');
}
