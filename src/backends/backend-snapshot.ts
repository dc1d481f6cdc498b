/**
 * What `list_servers` (and the dashboard) show of one backend, built from its live parts: the pid and uptime only
 * while it is ready, the tools its filter lets through, and the command line without environment values.
 */
import type { Tool } from '@modelcontextprotocol/server';

import type { BackendInfo, BackendState } from '../shared/backend-info.js';
import { namesPassing } from '../shared/tool-filter.js';
import { formatCommandLine, type BackendSpec } from './backend-spec.js';
import type { BackendConnection } from './connection/connection.js';
import type { Supervisor } from './supervision.js';

/** The live parts of a backend a snapshot reads. */
export interface BackendParts {
  readonly state: BackendState;
  readonly connection: BackendConnection | undefined;
  /** When the current connection became ready (epoch ms). */
  readonly startedAt: number | undefined;
  readonly supervisor: Supervisor;
  /** The tools as the backend listed them. */
  readonly tools: readonly Tool[];
}

/** A snapshot of one backend; `counters` are kept by the backend itself. */
export function snapshotOf(
  spec: BackendSpec,
  parts: BackendParts,
  counters: Pick<BackendInfo, 'calls' | 'errors' | 'lastError'>,
): BackendInfo {
  const { state, connection, startedAt, supervisor } = parts;
  const ready = state === 'ready';
  const nextRetryAt = supervisor.nextRetryAt;
  const reachable = namesPassing(parts.tools, spec.toolFilter);
  return {
    name: spec.name,
    state,
    description: spec.description,
    command: formatCommandLine(spec),
    pid: ready ? (connection?.pid ?? null) : null,
    uptimeMs: ready && startedAt !== undefined ? Date.now() - startedAt : null,
    toolCount: reachable.length,
    tools: reachable,
    ...counters,
    restarts: supervisor.restarts,
    nextRetryAt: nextRetryAt === undefined ? null : new Date(nextRetryAt).toISOString(),
    skippedLines: connection?.skippedLines ?? 0,
  };
}
