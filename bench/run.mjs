/**
 * The benchmark suite (`npm run bench`): the gateway's cost against a baseline measured in the same run, because
 * absolute figures of a shared machine mean little while ratios hold.
 *
 *   node bench/run.mjs [--quick] [--only <section,...>] [--svg <path>]
 *
 *   --quick         fewer calls everywhere: a smoke run in well under a minute
 *   --only <list>   run only these sections (comma-separated names, see SECTIONS)
 *   --svg <path>    also write the latency chart to this path (e.g. docs/bench-latency.svg)
 *
 * Prints markdown tables on stdout (progress goes to stderr), and writes bench/results/latest.json, a
 * timestamped copy, and the charts (bench/results/latency.svg). Targets are marked met or missed; a miss never
 * fails the run, an error in a section does (exit code 1, the other sections still run).
 *
 * Adding a section: write bench/sections/<name>.mjs and add <name> to SECTIONS. The module default-exports a
 * {@link Section}:
 *
 *   export default { name: '<name>', title: 'Shown as the heading', async run(context) { ...; return result; } };
 *
 * `context` ({@link SectionContext}): `quick` (scale the work down when true), `scope` (pass it to every start
 * helper of lib/clients.mjs, or `scope.add(label, close)` anything else: it is all closed after the section, also
 * on failure or Ctrl-C), `tmpDir` (a fresh folder for config files), `log(message)` (progress on stderr).
 *
 * The result ({@link SectionResult}): `tables` (`[{ headers, rows }]`, cells already formatted, printed as markdown),
 * `figures` (any JSON, stored under `sections.<name>.figures`), and optionally `notes` (lines printed under the
 * tables), `targets` (from lib/targets.mjs checkTarget, gathered in the summary) and `charts` (`[{ file, svg }]`,
 * written to bench/results/<file>).
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { CLI_PATH, PROJECT_ROOT } from './lib/clients.mjs';
import { closeAllScopes, Scope } from './lib/scope.mjs';
import { markdownTable } from './lib/table.mjs';

/** Section modules in bench/sections/, in the order they run. */
const SECTIONS = [
  'latency',
  'modern-http',
  'throughput',
  'fan-out',
  'startup',
  'memory',
  'large-results',
  'tool-list-size',
  'observed',
  'access',
  'cluster',
];

/**
 * @typedef {object} SectionContext
 * @property {boolean} quick
 * @property {import('./lib/scope.mjs').Scope} scope
 * @property {string} tmpDir
 * @property {(message: string) => void} log
 */

/**
 * @typedef {object} SectionResult
 * @property {Array<{ title?: string, headers: string[], rows: Array<Array<string | number>> }>} tables
 * @property {Record<string, unknown>} figures
 * @property {string[]} [notes]
 * @property {import('./lib/targets.mjs').Target[]} [targets]
 * @property {Array<{ file: string, svg: string }>} [charts]
 */

/**
 * @typedef {object} Section
 * @property {string} name
 * @property {string} title
 * @property {(context: SectionContext) => Promise<SectionResult>} run
 */

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = path.join(BENCH_DIR, 'results');

const USAGE = 'usage: node bench/run.mjs [--quick] [--only <section,...>] [--svg <path>]';

/** @returns {{ quick: boolean, only: string[], svg: string | undefined }} */
function parseCommandLine() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        svg: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : error}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(`${USAGE}\nsections: ${SECTIONS.join(', ')}`);
    process.exit(0);
  }
  const only = values.only === undefined ? SECTIONS : values.only.split(',').map((name) => name.trim());
  const unknown = only.filter((name) => !SECTIONS.includes(name));
  if (unknown.length > 0 || only.length === 0) {
    console.error(`bench: unknown section(s) ${unknown.join(', ')}; sections: ${SECTIONS.join(', ')}`);
    process.exit(2);
  }
  // Keep the documented order whatever order --only lists them in.
  return { quick: values.quick, only: SECTIONS.filter((name) => only.includes(name)), svg: values.svg };
}

/** Refuses to measure a missing build, and warns about one older than its sources (npm run bench rebuilds). */
async function checkBuild() {
  if (!existsSync(CLI_PATH)) {
    console.error(
      `bench: ${path.relative(PROJECT_ROOT, CLI_PATH)} is missing; run npm run build (or npm run bench)`,
    );
    process.exit(1);
  }
  const built = statSync(CLI_PATH).mtimeMs;
  const sources = await readdir(path.join(PROJECT_ROOT, 'src'), { recursive: true });
  const stale = sources.some((file) => statSync(path.join(PROJECT_ROOT, 'src', file)).mtimeMs > built);
  if (stale)
    console.error('bench: warning: dist/ is older than src/; run npm run build to measure the current code');
}

/** The machine the figures come from, recorded with them. */
function describeMachine() {
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    osRelease: os.release(),
  };
}

/** @param {string} message */
function log(message) {
  console.error(`bench: ${message}`);
}

async function main() {
  const options = parseCommandLine();
  if (process.platform !== 'linux') {
    console.error('bench: CPU and memory figures are read from /proc: Linux only');
    process.exit(1);
  }
  await checkBuild();

  const startedAt = new Date();
  const started = performance.now();
  const machine = describeMachine();
  const tmpRoot = await mkdtemp(path.join(os.tmpdir(), 'mcp-gateway-bench-'));

  // Ctrl-C or a kill must not leave gateways and backends behind.
  let interrupted = false;
  const onSignal = (signal) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`bench: ${signal}, closing every process started`);
    void closeAllScopes()
      .finally(() => rm(tmpRoot, { recursive: true, force: true }))
      .finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  console.log('# mcp-gateway benchmark\n');
  console.log(
    `${machine.cpuModel}, ${machine.cores} cores, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, ` +
      `Node ${machine.node}, ${machine.platform}; ${options.quick ? 'quick run (--quick)' : 'full run'}.\n`,
  );

  const sections = {};
  const targets = [];
  const charts = [];
  let failed = false;
  try {
    for (const name of options.only) {
      /** @type {Section} */
      const section = (await import(`./sections/${name}.mjs`)).default;
      if (section?.name !== name)
        throw new Error(`bench/sections/${name}.mjs does not export a section named ${name}`);
      log(`${name}: start`);
      const sectionStarted = performance.now();
      const scope = new Scope();
      const tmpDir = path.join(tmpRoot, name);
      await mkdir(tmpDir);
      try {
        const result = await section.run({ quick: options.quick, scope, tmpDir, log });
        const seconds = (performance.now() - sectionStarted) / 1000;
        sections[name] = { title: section.title, seconds, figures: result.figures, tables: result.tables };
        targets.push(...(result.targets ?? []).map((target) => ({ section: name, ...target })));
        charts.push(...(result.charts ?? []));
        printSection(section.title, result);
        log(`${name}: done in ${seconds.toFixed(1)} s`);
      } catch (error) {
        failed = true;
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        sections[name] = { title: section.title, error: message };
        console.log(`## ${section.title}\n\nFAILED: ${message.split('\n')[0]}\n`);
        console.error(`bench: ${name} failed: ${message}`);
      } finally {
        await scope.close();
      }
    }
  } finally {
    await rm(tmpRoot, { recursive: true, force: true });
  }

  const durationSeconds = (performance.now() - started) / 1000;
  if (targets.length > 0) {
    console.log('## Targets\n');
    console.log(
      markdownTable(
        ['figure', 'measured', 'target', 'result'],
        targets.map((target) => [
          target.figure,
          target.text,
          `${target.op} ${target.limitText}`,
          target.pass ? '✓ met' : '✗ missed',
        ]),
      ),
    );
    console.log('');
  }
  console.log(`Total time: ${durationSeconds.toFixed(0)} s.`);

  await writeResults({ startedAt, durationSeconds, options, machine, sections, targets, charts });
  if (failed) process.exitCode = 1;
}

/**
 * @param {string} title
 * @param {SectionResult} result
 */
function printSection(title, result) {
  const parts = [`## ${title}`];
  for (const table of result.tables) {
    if (table.title) parts.push(`**${table.title}**`);
    parts.push(markdownTable(table.headers, table.rows));
  }
  for (const note of result.notes ?? []) parts.push(note);
  console.log(`${parts.join('\n\n')}\n`);
}

/** Writes latest.json, its timestamped copy and the charts (also to --svg). */
async function writeResults({ startedAt, durationSeconds, options, machine, sections, targets, charts }) {
  await mkdir(RESULTS_DIR, { recursive: true });
  const report = {
    startedAt: startedAt.toISOString(),
    durationSeconds,
    quick: options.quick,
    sectionsRun: options.only,
    machine,
    sections,
    targets,
  };
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const stamp = startedAt
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z');
  const written = [path.join(RESULTS_DIR, 'latest.json'), path.join(RESULTS_DIR, `${stamp}.json`)];
  for (const file of written) await writeFile(file, json);
  for (const chart of charts) {
    const file = path.join(RESULTS_DIR, chart.file);
    await writeFile(file, chart.svg);
    written.push(file);
  }
  if (options.svg !== undefined) {
    const latency = charts.find((chart) => chart.file === 'latency.svg');
    if (latency) {
      const file = path.resolve(options.svg);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, latency.svg);
      written.push(file);
    } else {
      console.error('bench: --svg given but the latency section did not produce its chart');
    }
  }
  log(`wrote ${written.map((file) => path.relative(process.cwd(), file)).join(', ')}`);
}

await main();
