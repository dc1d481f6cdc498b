/**
 * Readable text for the gateway tools' results. The same data goes into `structuredContent` for programs.
 */
import type { PipelineOutcome } from '../pipelines/pipeline.js';
import { textOf } from '../pipelines/run-pipeline.js';
import type { NameConflict } from './catalog.js';
import type { SearchToolsResult } from './search-tools.js';
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

/**
 * The matches of `search_tools`, best first: each with how to call it and its input schema as compact JSON (the
 * schema's `$schema` line left out: it says nothing a model needs). `serverState` is given when the server searched
 * is not ready, to say why it has no tools.
 */
export function formatSearchResults(result: SearchToolsResult, serverState?: string): string {
  const scope = result.server === null ? '' : ` of server "${result.server}"`;
  const shown = result.results.length;
  if (shown === 0) {
    if (serverState)
      return `No tools${scope}: it is ${serverState}, and only ready servers list their tools.`;
    if (result.query === '') return `Server "${result.server}" exposes no tools.`;
    return (
      `No tool${scope} matches "${result.query}". Try other words (what the tool does, or what it works on), ` +
      'or search_tools with a server and an empty query to see every tool of one backend.'
    );
  }
  const partial = shown < result.total;
  const heading =
    result.query === ''
      ? `${result.total} tool(s)${scope}${partial ? `, the first ${shown}` : ''}:`
      : `${result.total} tool(s)${scope} match "${result.query}"${partial ? `; the best ${shown}` : ''}:`;
  const lines = [heading];
  result.results.forEach((match, position) => {
    const score = match.score === null ? '' : ` (score ${match.score})`;
    const { $schema: _ignored, ...schema } = match.inputSchema;
    lines.push(
      '',
      `${position + 1}. ${match.server} / ${match.tool}${score}: ${match.description || '(no description)'}`,
      `   call: call_backend {"server": ${JSON.stringify(match.server)}, "tool": ${JSON.stringify(match.tool)}, ` +
        `"params": {...}} (exposed as ${match.name})`,
      `   inputSchema: ${JSON.stringify(schema)}`,
    );
  });
  return lines.join('\n');
}
