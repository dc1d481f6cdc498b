/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance` 0.1.13, the version that runs on Node 20)
 * run against a Streamable HTTP endpoint, plus the conformance fixture backend
 * (`test/fixtures/servers/conformance.mjs`) that implements what its server scenarios ask for.
 *
 * Used directly against the fixture (test/integration/conformance-direct.test.ts) and through the gateway, which
 * forwards to the fixture: pass the gateway's URL to {@link runConformance}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { fixturePath } from './fixture-path.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

/** The suite's CLI (`conformance`), run with `process.execPath`. */
export const CONFORMANCE_CLI = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@modelcontextprotocol/conformance/package.json')),
  'dist/index.js',
);

/**
 * The server scenarios of the installed suite (`conformance list --server`) that the fixture passes directly, in the
 * suite's order. All of them but the exclusions in {@link CONFORMANCE_EXCLUDED_SERVER_SCENARIOS}.
 *
 * Not here because they are not server scenarios in 0.1.13 (`conformance list --client`): `initialize`,
 * `tools_call`, `elicitation-sep1034-client-defaults`, `sse-retry` and every `auth/*` scenario test MCP clients.
 */
export const CONFORMANCE_SERVER_SCENARIOS = [
  'server-initialize',
  'logging-set-level',
  'ping',
  'completion-complete',
  'tools-list',
  'tools-call-simple-text',
  'tools-call-image',
  'tools-call-audio',
  'tools-call-embedded-resource',
  'tools-call-mixed-content',
  'tools-call-with-logging',
  'tools-call-error',
  'tools-call-with-progress',
  'tools-call-sampling',
  'tools-call-elicitation',
  'json-schema-2020-12',
  'elicitation-sep1034-defaults',
  'server-sse-polling',
  'server-sse-multiple-streams',
  'elicitation-sep1330-enums',
  'resources-list',
  'resources-read-text',
  'resources-read-binary',
  'resources-templates-read',
  'resources-subscribe',
  'resources-unsubscribe',
  'prompts-list',
  'prompts-get-simple',
  'prompts-get-with-args',
  'prompts-get-embedded-resource',
  'prompts-get-with-image',
] as const;

/** A scenario of {@link CONFORMANCE_SERVER_SCENARIOS}. */
export type ConformanceServerScenario = (typeof CONFORMANCE_SERVER_SCENARIOS)[number];

/** Server scenarios of the installed suite left out of {@link CONFORMANCE_SERVER_SCENARIOS}, with the reason. */
export const CONFORMANCE_EXCLUDED_SERVER_SCENARIOS: Readonly<Record<string, string>> = {
  'dns-rebinding-protection':
    "Host/Origin validation belongs to the gateway's HTTP front door (test/integration/http-rebinding.test.ts); " +
    'the fixture backend accepts any Host, so this scenario fails against it by design.',
};

/**
 * WARNING checks that scenarios are expected to report, by check id. Warnings do not fail a scenario (see
 * {@link ConformanceOutcome.passed}), but any other warning is a regression.
 *
 * server-sse-polling: the suite posts its `test_reconnection` call with the header
 * `mcp-protocol-version: 2025-03-26` (although the session negotiated 2025-11-25), and the SDK's transport, rightly,
 * sends priming events (an event id, empty data, and the `retry` field) only to clients of 2025-11-25 or later,
 * because older clients cannot parse empty SSE data. Hence "no priming event" and "no retry field". The part that
 * matters, closing the stream mid-call and delivering the result after a Last-Event-ID resumption, succeeds.
 */
export const CONFORMANCE_EXPECTED_WARNINGS: Readonly<
  Partial<Record<ConformanceServerScenario, readonly string[]>>
> = {
  'server-sse-polling': ['server-sse-priming-event', 'server-sse-retry-field'],
};

/** What one scenario run found. */
export interface ConformanceOutcome {
  /**
   * The suite's own verdict (its exit code and its ✓: no check failed), made stricter in one way: a scenario that
   * checked nothing (no SUCCESS at all), timed out, or left no results, does not pass.
   */
  readonly passed: boolean;
  /**
   * Either `<n> succeeded, <n> failed, <n> warnings, <n> info` followed by one line per FAILURE or WARNING check
   * (`STATUS id: message`), or why the scenario left no results (timed out, aborted, no checks.json) followed by the
   * tail of the CLI's output.
   */
  readonly detail: string;
  /** Ids of the checks that reported WARNING, in order. */
  readonly warnings: readonly string[];
}

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
}

/** A check as written to `checks.json` by the suite. */
interface Check {
  readonly id: string;
  readonly status: string;
  readonly description?: string;
  readonly errorMessage?: string;
}

/** The last `max` characters of a process's output, for failure details. */
function tail(output: string, max = 2000): string {
  return output.length > max ? `...${output.slice(-max)}` : output;
}

/** `text` with the characters that are special in a regular expression escaped. */
function escapeRegExp(text: string): string {
  return text.replaceAll(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`);
}

/** The checks the CLI wrote for `scenario` under `outputDir` (`server-<scenario>-<ISO time>/checks.json`), if any. */
async function readChecks(outputDir: string, scenario: string): Promise<Check[] | undefined> {
  let entries: string[];
  try {
    entries = await readdir(outputDir);
  } catch {
    return undefined;
  }
  const pattern = new RegExp(`^server-${escapeRegExp(scenario)}-\\d{4}-\\d{2}-\\d{2}T`);
  const results = entries.find((entry) => pattern.test(entry));
  if (results === undefined) return undefined;
  try {
    return JSON.parse(await readFile(path.join(outputDir, results, 'checks.json'), 'utf8')) as Check[];
  } catch {
    return undefined;
  }
}

/** Turns a scenario's checks into an outcome. */
function judge(checks: readonly Check[]): ConformanceOutcome {
  const count = (status: string): number => checks.filter((check) => check.status === status).length;
  const notable = checks
    .filter((check) => check.status === 'FAILURE' || check.status === 'WARNING')
    .map((check) => `${check.status} ${check.id}: ${check.errorMessage ?? check.description ?? ''}`);
  return {
    passed: count('SUCCESS') > 0 && count('FAILURE') === 0,
    detail: [
      `${count('SUCCESS')} succeeded, ${count('FAILURE')} failed, ${count('WARNING')} warnings, ${count('INFO')} info`,
      ...notable,
    ].join('\n'),
    warnings: checks.filter((check) => check.status === 'WARNING').map((check) => check.id),
  };
}

/** How a CLI process ended. */
interface CliRun {
  readonly code: number | null;
  /** Its stdout and stderr, interleaved. */
  readonly output: string;
  /** The scenario that was running when the watchdog killed the process, if it did. */
  readonly timedOut?: string;
}

/** The line the CLI prints as each scenario starts. */
const SCENARIO_START = /^Running client scenario '([^']+)'/gm;

/**
 * Runs the conformance CLI with `args`. A watchdog kills it (SIGKILL) when one scenario, from the line announcing it
 * (or from the start, for the first), runs longer than `timeoutMs`.
 */
async function runCli(
  args: readonly string[],
  cwd: string,
  options: RunConformanceOptions,
  live: Set<ChildProcess>,
): Promise<CliRun> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = spawn(process.execPath, [CONFORMANCE_CLI, ...args], {
    cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let output = '';
  let started = 0;
  let current = '(starting)';
  let timedOut: string | undefined;
  const arm = (): NodeJS.Timeout =>
    setTimeout(() => {
      timedOut = current;
      child.kill('SIGKILL');
    }, timeoutMs);
  let timer = arm();
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    const starts = [...output.matchAll(SCENARIO_START)];
    if (starts.length > started) {
      started = starts.length;
      current = starts.at(-1)?.[1] ?? current;
      clearTimeout(timer);
      timer = arm();
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  try {
    const [code] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    return { code, output, timedOut };
  } finally {
    clearTimeout(timer);
    live.delete(child);
  }
}

/** Outcome of a scenario that did not produce results. */
function notRun(reason: string, run?: CliRun): ConformanceOutcome {
  return { passed: false, detail: run ? `${reason}\n${tail(run.output)}` : reason, warnings: [] };
}

/**
 * Runs server scenarios of the conformance suite against a Streamable HTTP MCP endpoint and reads their results.
 *
 * Starting the CLI costs a second or two of module loading, so all server scenarios of the suite first run in ONE
 * process (`conformance server --url <url> --suite all --output-dir <tmp>`: the requested ones and the few others,
 * a few seconds in all); then each requested scenario that left no results there (the CLI crashed, or was stopped)
 * runs alone (`--scenario <name>`), `concurrency` at a time. Every scenario is bounded by `timeoutMs`: one that
 * overruns is killed, reported as timed out, and not retried. Each scenario opens its own MCP session. The
 * `checks.json` files are parsed and the temporary folder removed; every process started has exited when the
 * promise settles.
 *
 * @param url The MCP endpoint, e.g. `http://127.0.0.1:PORT/mcp` (the fixture's, or the gateway's in front of it).
 * @param scenarios Scenario names, usually {@link CONFORMANCE_SERVER_SCENARIOS}.
 * @returns The outcome of each scenario, keyed by name, in the order given.
 */
export async function runConformance(
  url: string,
  scenarios: readonly string[],
  options: RunConformanceOptions = {},
): Promise<Map<string, ConformanceOutcome>> {
  const dir = await makeTempDir('conformance-results-');
  const live = new Set<ChildProcess>();
  const killAll = (): void => {
    for (const child of live) child.kill('SIGKILL');
  };
  options.signal?.addEventListener('abort', killAll, { once: true });
  const outcomes = new Map<string, ConformanceOutcome>();
  try {
    const batchDir = path.join(dir, 'all');
    const batch = await runCli(
      ['server', '--url', url, '--suite', 'all', '--output-dir', batchDir],
      dir,
      options,
      live,
    );
    for (const scenario of scenarios) {
      const checks = await readChecks(batchDir, scenario);
      if (checks) outcomes.set(scenario, judge(checks));
      else if (batch.timedOut === scenario) {
        outcomes.set(scenario, notRun(`timed out after ${options.timeoutMs ?? 30_000} ms`, batch));
      }
    }
    const rest = scenarios.filter((scenario) => !outcomes.has(scenario));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < rest.length && !options.signal?.aborted) {
        const index = next++;
        const scenario = rest[index] ?? '';
        const outputDir = path.join(dir, String(index));
        const run = await runCli(
          ['server', '--url', url, '--scenario', scenario, '--output-dir', outputDir],
          dir,
          options,
          live,
        );
        const checks = run.timedOut === undefined ? await readChecks(outputDir, scenario) : undefined;
        if (checks) outcomes.set(scenario, judge(checks));
        else if (run.timedOut !== undefined) {
          outcomes.set(scenario, notRun(`timed out after ${options.timeoutMs ?? 30_000} ms`, run));
        } else outcomes.set(scenario, notRun(`no checks.json (exit code ${run.code})`, run));
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

/** The conformance fixture serving Streamable HTTP. */
export interface ConformanceFixture {
  /** Its endpoint, `http://127.0.0.1:PORT/mcp`. */
  readonly url: URL;
  readonly pid: number;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code once it has exited (at once if it already has). */
  stop(): Promise<number | null>;
}

/**
 * Starts `node test/fixtures/servers/conformance.mjs --http --port 0` and waits for its `listening on` line.
 *
 * @param env Added to the fixture's environment.
 */
export async function startConformanceFixture(
  env: Readonly<Record<string, string>> = {},
): Promise<ConformanceFixture> {
  const child = spawn(process.execPath, [fixturePath('conformance.mjs'), '--http', '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const url = await new Promise<URL>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /^listening on (\S+)$/m.exec(stderr);
      if (match?.[1]) resolve(new URL(match[1]));
    });
    exited.then(
      ([code, signal]) => reject(new Error(`the conformance fixture exited (${code ?? signal}):\n${stderr}`)),
      reject,
    );
  });
  if (child.pid === undefined) throw new Error('the conformance fixture has no pid');
  return {
    url,
    pid: child.pid,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const [code] = await exited;
      return code;
    },
  };
}
