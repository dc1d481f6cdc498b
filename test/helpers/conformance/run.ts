/**
 * Runs a revision's server scenarios of the official MCP conformance suite against a Streamable HTTP endpoint and
 * reads their results. Used directly against the conformance fixtures and through the gateway in front of them.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';

import { makeTempDir, removeTempDir } from '../temp-dir.js';
import { judge, notRun, readChecks, type ConformanceOutcome } from './checks.js';
import { runCli, type CliRun } from './cli.js';
import type { Revision } from './requirements.js';
import { ensureSuiteNode } from './suite-node.js';

/** Options of {@link runConformance}. */
export interface RunConformanceOptions {
  /** Deadline of each scenario, in milliseconds (default 30 000): a CLI process stuck that long is SIGKILLed. */
  readonly timeoutMs?: number;
  /** How many single-scenario CLI processes (the fallback, see {@link runConformance}) run at once (default 2). */
  readonly concurrency?: number;
  /** Aborting kills the running CLI processes; the scenarios not finished are reported as not passed. */
  readonly signal?: AbortSignal;
  /** Added to the environment of the CLI processes (e.g. a marker to find them by). */
  readonly env?: Readonly<Record<string, string>>;
  /** The Node binary that runs the CLI (default: {@link ensureSuiteNode}). */
  readonly node?: string;
}

/**
 * Runs server scenarios of the conformance suite at one protocol revision against an MCP endpoint.
 *
 * Starting the CLI costs a second of module loading, so the revision's whole requirement set first runs in ONE
 * process (`conformance server --url <url> --requirements <revision> --output-dir <tmp>`: every scenario, scored or
 * not, each at the revision's wire: the initialize handshake and a session for 2025-11-25, the stateless per-request
 * `_meta` envelope for 2026-07-28). Then each requested scenario that left no results there (the CLI crashed, or was
 * stopped) runs alone (`--scenario <name> --spec-version <revision> --force`), `concurrency` at a time. Every
 * scenario is bounded by `timeoutMs`: one that overruns is killed, reported as timed out, and not retried. The
 * `checks.json` files are parsed and the temporary folder removed; every process started has exited when the
 * promise settles.
 *
 * @param url The MCP endpoint, e.g. `http://127.0.0.1:PORT/mcp` (a fixture's, or the gateway's in front of it).
 * @param revision The protocol revision whose requirement set runs.
 * @param scenarios The scenarios to report on, usually the revision's whole set or the part a fixture claims.
 * @returns The outcome of each scenario, keyed by name, in the order given.
 */
export async function runConformance(
  url: string,
  revision: Revision,
  scenarios: readonly string[],
  options: RunConformanceOptions = {},
): Promise<Map<string, ConformanceOutcome>> {
  const node = options.node ?? (await ensureSuiteNode());
  const timeoutMs = options.timeoutMs ?? 30_000;
  const dir = await makeTempDir('conformance-results-');
  const live = new Set<ChildProcess>();
  const killAll = (): void => {
    for (const child of live) child.kill('SIGKILL');
  };
  options.signal?.addEventListener('abort', killAll, { once: true });
  const cli = { node, cwd: dir, timeoutMs, live, ...(options.env ? { env: options.env } : {}) };
  const timedOut = (run: CliRun): ConformanceOutcome => notRun(`timed out after ${timeoutMs} ms`, run.output);
  const outcomes = new Map<string, ConformanceOutcome>();
  try {
    const batchDir = path.join(dir, 'all');
    const batch = await runCli(
      ['server', '--url', url, '--requirements', revision, '--output-dir', batchDir],
      cli,
    );
    for (const scenario of scenarios) {
      const checks = await readChecks(batchDir, scenario);
      if (checks) outcomes.set(scenario, judge(checks));
      else if (batch.timedOut === scenario) outcomes.set(scenario, timedOut(batch));
    }
    const rest = scenarios.filter((scenario) => !outcomes.has(scenario));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < rest.length && !options.signal?.aborted) {
        const index = next++;
        const scenario = rest[index] ?? '';
        const outputDir = path.join(dir, String(index));
        const args = ['server', '--url', url, '--scenario', scenario, '--spec-version', revision, '--force'];
        const run = await runCli([...args, '--output-dir', outputDir], cli);
        const checks = run.timedOut === undefined ? await readChecks(outputDir, scenario) : undefined;
        if (checks) outcomes.set(scenario, judge(checks));
        else if (run.timedOut !== undefined) outcomes.set(scenario, timedOut(run));
        else outcomes.set(scenario, notRun(`no checks.json (exit code ${run.code})`, run.output));
      }
    };
    const workers = Math.max(1, Math.min(options.concurrency ?? 2, rest.length));
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    options.signal?.removeEventListener('abort', killAll);
    killAll();
    await removeTempDir(dir);
  }
  return new Map(
    scenarios.map((scenario) => [
      scenario,
      outcomes.get(scenario) ?? notRun(options.signal?.aborted ? 'aborted' : 'not run'),
    ]),
  );
}
