/**
 * Readable text for the gateway tools' results. The same data goes into `structuredContent` for programs.
 */
import type { PipelineOutcome } from '../pipelines/pipeline.js';
import { textOf } from '../pipelines/run-pipeline.js';
import type { NameConflict } from './catalog.js';
import type { UpstreamInfo } from './upstream.js';

/** One paragraph per backend, then the tool names that had to change. */
export function formatServerList(
  servers: readonly UpstreamInfo[],
  conflicts: readonly NameConflict[] = [],
): string {
  if (servers.length === 0)
    return 'No servers registered. Use register_server, or start the gateway with --auto-register.';
  const lines = [`${servers.length} server(s):`];
  for (const server of servers) {
    lines.push('');
    lines.push(`${server.name} [${server.state}]${server.description ? ` - ${server.description}` : ''}`);
    lines.push(`  command: ${server.command}`);
    const uptime = server.uptimeMs === null ? '' : `, uptime ${formatDuration(server.uptimeMs)}`;
    lines.push(
      `  pid: ${server.pid ?? '-'}${uptime}, calls: ${server.calls}, errors: ${server.errors}, restarts: ${server.restarts}`,
    );
    if (server.nextRetryAt) lines.push(`  next restart: ${server.nextRetryAt}`);
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

/** A heading with the totals, then each step with its output or error. */
export function formatPipelineOutcome(outcome: PipelineOutcome): string {
  const succeeded = outcome.steps.filter((step) => step.status === 'ok').length;
  const lines = [
    `Pipeline "${outcome.scenario}": ${succeeded}/${outcome.steps.length} step(s) succeeded in ${outcome.durationMs} ms`,
  ];
  for (const step of outcome.steps) {
    lines.push('');
    const optional = step.optional ? ', optional' : '';
    lines.push(
      `## ${step.id}: ${step.server}.${step.tool} - ${step.status} (${step.durationMs} ms${optional})`,
    );
    const output = step.result ? textOf(step.result) : '';
    if (output) lines.push(output);
    if (step.error && step.error !== output) lines.push(`error: ${step.error}`);
  }
  return lines.join('\n');
}

function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
