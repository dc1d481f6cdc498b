/**
 * What `mcp-gateway import` tells the user on stderr: the report (the files read, every server imported with what
 * changed on the way, every entry left in the client with why) and the failure it stops on. It names environment
 * variables and headers, never their values, nor URLs (which may carry a token).
 */
import type { ClientSource } from './client-locations.js';
import type { CollectedEntries } from './collect-entries.js';
import type { EntryOutcome, ImportedEntry, SkippedEntry } from './translate-entry.js';

/**
 * A failure the user can act on (a client file missing, unreadable or invalid, the output file already there);
 * its message says which file, what was expected, what was found and what to do. `runImport` prints it and
 * returns 1.
 */
/** What the report is made from. */
export interface ImportSummary {
  readonly clientTitle: string;
  readonly collected: CollectedEntries;
  readonly outcomes: readonly EntryOutcome[];
}

/** The report's lines, each ending with a newline. */
export function formatReport(summary: ImportSummary): string {
  const { collected, outcomes } = summary;
  const lines: string[] = [];
  for (const [file, scopes] of groupByFile(collected.sourcesRead)) {
    lines.push(
      `Read ${file} (${summary.clientTitle}, ${scopes.join(' and ')} ${scopes.length === 1 ? 'scope' : 'scopes'})`,
    );
  }
  const imported = outcomes.filter((outcome): outcome is ImportedEntry => outcome.kind === 'imported');
  const skipped = outcomes.filter((outcome): outcome is SkippedEntry => outcome.kind === 'skipped');
  if (imported.length > 0) {
    lines.push(`Imported ${count(imported.length, 'server')}:`);
    for (const outcome of imported) lines.push(...describeImported(outcome));
  }
  const left = skipped.length + collected.shadowed.length;
  if (left > 0) {
    lines.push(`Not imported, left as ${left === 1 ? 'it is' : 'they are'} in the client (${left}):`);
    for (const outcome of skipped) {
      lines.push(`  ${outcome.entry.name} (${outcome.entry.source.scope})`);
      for (const reason of outcome.reasons) lines.push(`    - ${reason}`);
    }
    for (const { entry, by } of collected.shadowed) {
      lines.push(
        `  ${entry.name} (${entry.source.scope})`,
        `    - the ${by.source.scope} scope has a server of the same name, which takes its place`,
      );
    }
  }
  return lines.map((line) => `${line}\n`).join('');
}

/** `3 servers`, `1 server`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function describeImported(outcome: ImportedEntry): string[] {
  const { config, entry } = outcome;
  const details = [config.url === undefined ? 'stdio' : (config.type ?? 'http'), entry.source.scope];
  if (config.disabled === true) details.push('disabled');
  const env = Object.keys(config.env ?? {});
  const headers = Object.keys(config.headers ?? {});
  const lines = [`  ${entry.name} (${details.join(', ')})`];
  if (env.length > 0) lines.push(`    - env: ${env.join(', ')}`);
  if (headers.length > 0) lines.push(`    - headers: ${headers.join(', ')}`);
  if (config.tools !== undefined && 'deny' in config.tools) {
    lines.push(`    - tools turned off: ${config.tools.deny.join(', ')}`);
  }
  if (outcome.envNames.length > 0) {
    lines.push(`    - expands from the environment: ${outcome.envNames.join(', ')}`);
  }
  for (const note of outcome.notes) lines.push(`    - ${note}`);
  return lines;
}

/** The scopes of each file, in the order of the sources (Claude Code keeps two in `~/.claude.json`). */
function groupByFile(sources: readonly ClientSource[]): Map<string, string[]> {
  const files = new Map<string, string[]>();
  for (const { file, scope } of sources) files.set(file, [...(files.get(file) ?? []), scope]);
  return files;
}
