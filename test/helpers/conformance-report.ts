/**
 * A pass/fail table of one protocol revision's conformance scenarios against an endpoint: a fixture directly, the
 * built gateway with a fixture behind it, or any URL. For measuring what no test asserts yet, e.g. the gateway at
 * 2026-07-28 while its front door learns that revision; once it passes, the table's passing rows are what a test
 * (like conformance-gateway.test.ts at that revision) can require.
 *
 * ```sh
 * npm run build   # the gateway runs from dist/
 * npx tsx test/helpers/conformance-report.ts --requirements 2026-07-28 --fixture modern --gateway stdio
 * npx tsx test/helpers/conformance-report.ts --requirements 2026-07-28 --fixture modern --gateway http
 * npx tsx test/helpers/conformance-report.ts --requirements 2026-07-28 --fixture modern   # the fixture directly
 * npx tsx test/helpers/conformance-report.ts --requirements 2025-11-25 --url http://127.0.0.1:8003/mcp
 * ```
 *
 * Prints a Markdown table to stdout (progress to stderr) and exits 0 when every scored scenario passed, 1 when one
 * did not, 2 on bad arguments. Everything it started has exited when it exits.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import type { ConformanceOutcome } from './conformance/checks.js';
import { CONFORMANCE_FIXTURES, type ConformanceFixtureName } from './conformance/expectations.js';
import { startConformanceFixture } from './conformance/fixture-process.js';
import { REVISIONS, serverRequirements, type Revision } from './conformance/requirements.js';
import { runConformance } from './conformance/run.js';
import { fixturePath } from './fixture-path.js';
import { startHttpGateway } from './gateway-process.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

/** What to measure. */
export interface ReportTarget {
  readonly revision: Revision;
  /** An endpoint to measure as it is. */
  readonly url?: string;
  /** A fixture to start: measured directly, or behind the gateway when `gateway` is given. */
  readonly fixture?: ConformanceFixtureName;
  /** Put the built gateway in front of the fixture, with the fixture as a `stdio` or an `http` backend. */
  readonly gateway?: 'stdio' | 'http';
}

/** One row of the table. */
export interface ReportRow {
  readonly scenario: string;
  /** `scored`, or why not (`extension`, `pending`, `added-after-release`). */
  readonly scoring: string;
  readonly outcome: ConformanceOutcome;
}

/** The first line of a detail (the counts) and its first failing check, on one line. */
function summary(outcome: ConformanceOutcome): string {
  const [counts = '', ...rest] = outcome.detail.split('\n');
  const failure = rest.find((line) => line.startsWith('FAILURE')) ?? (outcome.passed ? '' : rest[0]);
  const text = failure ? `${counts}; ${failure}` : counts;
  return (text.length > 160 ? `${text.slice(0, 157)}...` : text).replaceAll('|', '\\|');
}

/**
 * The rows as a Markdown table, followed by a count of the scored scenarios passed.
 *
 * @param rows From {@link measureConformance}.
 */
export function formatConformanceTable(rows: readonly ReportRow[]): string {
  const scored = rows.filter((row) => row.scoring === 'scored');
  const notScored = rows.filter((row) => row.scoring !== 'scored');
  const passed = (some: readonly ReportRow[]): string =>
    `${some.filter((row) => row.outcome.passed).length}/${some.length} passed`;
  return [
    '| scenario | scoring | result | checks |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${row.scenario} | ${row.scoring} | ${row.outcome.passed ? 'pass' : 'FAIL'} | ${summary(row.outcome)} |`,
    ),
    '',
    `scored: ${passed(scored)}; not scored: ${passed(notScored)}`,
  ].join('\n');
}

/**
 * Starts what `target` names, runs the revision's whole requirement set against it, stops what it started.
 *
 * @returns One row per scenario, in the set's order.
 */
export async function measureConformance(target: ReportTarget): Promise<ReportRow[]> {
  const requirements = serverRequirements(target.revision);
  const stops: (() => Promise<unknown>)[] = [];
  const dir = await makeTempDir('conformance-report-');
  try {
    let url = target.url;
    if (url === undefined) {
      if (target.fixture === undefined) throw new Error('give a url or a fixture');
      let backend: Record<string, unknown>;
      if (target.gateway === 'stdio') {
        backend = {
          command: process.execPath,
          args: [fixturePath(CONFORMANCE_FIXTURES[target.fixture].file)],
        };
      } else {
        const fixture = await startConformanceFixture(target.fixture);
        stops.push(() => fixture.stop());
        url = fixture.url.href;
        backend = { url };
      }
      if (target.gateway !== undefined) {
        const config = path.join(dir, 'config.json');
        await writeFile(config, JSON.stringify({ servers: { conformance: { ...backend, prefix: '' } } }));
        const gateway = await startHttpGateway(['--auto-register', config]);
        stops.push(() => gateway.stop());
        url = gateway.url.href;
      }
    }
    if (url === undefined) throw new Error('nothing to measure');
    const outcomes = await runConformance(url, target.revision, requirements.all);
    return requirements.all.map((scenario) => ({
      scenario,
      scoring: requirements.notScored.find((entry) => entry.scenario === scenario)?.reason ?? 'scored',
      outcome: outcomes.get(scenario) ?? { passed: false, detail: 'no result', warnings: [], skipped: [] },
    }));
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await removeTempDir(dir);
  }
}

/** The command line (see the module documentation). */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      requirements: { type: 'string', default: '2026-07-28' },
      url: { type: 'string' },
      fixture: { type: 'string' },
      gateway: { type: 'string' },
    },
  });
  const revision = REVISIONS.find((candidate) => candidate === values.requirements);
  const fixture = values.fixture as ConformanceFixtureName | undefined;
  const gateway = values.gateway as 'stdio' | 'http' | undefined;
  const valid =
    revision !== undefined &&
    (values.url === undefined) !== (fixture === undefined) &&
    (fixture === undefined || fixture in CONFORMANCE_FIXTURES) &&
    (gateway === undefined || ((gateway === 'stdio' || gateway === 'http') && fixture !== undefined));
  if (!valid) {
    process.stderr.write(
      `usage: conformance-report.ts --requirements <${REVISIONS.join('|')}> ` +
        '(--url <url> | --fixture <legacy|modern> [--gateway <stdio|http>])\n',
    );
    return 2;
  }
  const what =
    values.url ?? `the ${fixture} fixture${gateway ? ` behind the gateway (${gateway} backend)` : ''}`;
  process.stderr.write(`measuring ${what} at ${revision}...\n`);
  const rows = await measureConformance({ revision, url: values.url, fixture, gateway });
  process.stdout.write(`${formatConformanceTable(rows)}\n`);
  return rows.every((row) => row.scoring !== 'scored' || row.outcome.passed) ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
