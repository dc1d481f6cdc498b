/**
 * `list_servers()`: every backend with its state, command, tools, counters and last error, and the tool names that
 * had to change because another backend (or the gateway) had them first.
 */
import { z } from 'zod';

import {
  BackendInfoSchema,
  ClusterStatusSchema,
  type BackendInfo,
  type ClusterStatus,
} from '../../shared/backend-info.js';

import { ConfigStatusSchema, type ConfigStatus } from '../../shared/config-status.js';
import { formatSeconds, formatUptime } from '../../shared/format-duration.js';
import type { NameConflict } from '../hub/catalog.js';
import type { GatewayTool } from './gateway-tool.js';

/** The tool's arguments: none. */
export const ListServersInput = z.object({});

/** The tool's `structuredContent`. */
export const ListServersOutput = z.object({
  servers: z.array(BackendInfoSchema),
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
    'tools, pid, uptime, calls and errors so far, the last error and when a failed one is retried.',
  inputSchema: ListServersInput,
  outputSchema: ListServersOutput,
  annotations: { title: 'List backend servers', readOnlyHint: true },
  handler: async (_raw, context) => {
    const servers = context.directory.list().map((backend) => backend.info());
    const conflicts = context.nameConflicts();
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

/** One paragraph per backend, then the tool names that had to change. */
export function formatServerList(
  servers: readonly BackendInfo[],
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
