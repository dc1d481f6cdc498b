/**
 * How well search_tools finds the right tool for natural-language requests, measured through the built gateway in
 * front of ten real backends (test/fixtures/backend-fleet.mjs) with the labelled requests of
 * test/fixtures/tool-search-queries.json. The accuracies are attached to the test as annotations and quoted in any
 * failure message.
 */
import { readFile } from 'node:fs/promises';

import { beforeAll, describe, expect, it } from 'vitest';

import type { SearchToolsResult } from '../../src/gateway/tools/search-tools.js';
import { FLEET_SIZE, writeFleetConfig } from '../fixtures/backend-fleet.mjs';
import { callTool, PROJECT_ROOT, type StdioGateway } from '../helpers/gateway-process.js';
import { NATIVE_EXAMPLES } from '../helpers/native-examples.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

interface LabelledQuery {
  readonly query: string;
  /** Acceptable answers, as `server.tool`. */
  readonly expected: readonly string[];
}

interface QueryFile {
  readonly queries: readonly LabelledQuery[];
  readonly heldOut: readonly LabelledQuery[];
}

interface Accuracy {
  readonly top1: number;
  readonly top3: number;
  readonly total: number;
  /** Queries whose answer was not in the top 3, with what came instead. */
  readonly misses: readonly string[];
}

const RANKS_CHECKED = 3;

let gateway: StdioGateway;

async function loadQueries(): Promise<QueryFile> {
  const url = new URL('../fixtures/tool-search-queries.json', import.meta.url);
  return JSON.parse(await readFile(url, 'utf8')) as QueryFile;
}

async function measure(queries: readonly LabelledQuery[]): Promise<Accuracy> {
  let top1 = 0;
  let top3 = 0;
  const misses: string[] = [];
  for (const { query, expected } of queries) {
    const result = await callTool(gateway.client, 'search_tools', { query, limit: RANKS_CHECKED });
    expect(result.isError, textOf(result)).toBeFalsy();
    const ranked = (result.structuredContent as SearchToolsResult).results.map(
      (match) => `${match.server}.${match.tool}`,
    );
    const rank = ranked.findIndex((name) => expected.includes(name));
    if (rank === 0) top1 += 1;
    if (rank >= 0) top3 += 1;
    else
      misses.push(
        `"${query}": got ${ranked.join(', ') || 'nothing'}; expected one of ${expected.join(', ')}`,
      );
  }
  return { top1, top3, total: queries.length, misses };
}

function describeAccuracy(name: string, accuracy: Accuracy): string {
  const percent = (count: number): string => `${Math.round((100 * count) / accuracy.total)}%`;
  return (
    `${name}: ${accuracy.total} queries, right tool first for ${accuracy.top1} (${percent(accuracy.top1)}), ` +
    `in the top 3 for ${accuracy.top3} (${percent(accuracy.top3)})`
  );
}

// The fleet includes the sqlite example, whose native module runs only on the Node version that built it.
describe.skipIf(!NATIVE_EXAMPLES)('search_tools over ten real backends', () => {
  const sandbox = useProcessSandbox('tool-search-accuracy-');

  beforeAll(async () => {
    const config = await writeFleetConfig({
      projectRoot: PROJECT_ROOT,
      dataDir: sandbox.dir,
      env: sandbox.env,
    });
    gateway = await sandbox.connectStdio([
      '--auto-register',
      config,
      '--expose',
      'gateway',
      '--log-level',
      'warn',
    ]);
    // Configured backends are started before the gateway answers; a failed one would skew every figure.
    await waitFor(
      async () => {
        const result = await callTool(gateway.client, 'list_servers');
        const { servers } = result.structuredContent as { servers: { name: string; state: string }[] };
        const failed = servers.filter((server) => server.state === 'failed');
        if (failed.length > 0) throw new Error(`backends failed to start:\n${textOf(result)}`);
        return servers.length === FLEET_SIZE && servers.every((server) => server.state === 'ready');
      },
      { timeoutMs: 30_000, description: `all ${FLEET_SIZE} backends ready` },
    );
  });

  it('puts a right tool in the top 3 for at least 90% of the labelled requests', async ({ annotate }) => {
    const { queries } = await loadQueries();
    expect(queries.length).toBeGreaterThanOrEqual(40);

    const accuracy = await measure(queries);

    const summary = describeAccuracy('labelled set', accuracy);
    await annotate(summary);
    expect(
      accuracy.top3 / accuracy.total,
      `${summary}\nmisses:\n${accuracy.misses.join('\n')}`,
    ).toBeGreaterThanOrEqual(0.9);
  });

  it('does not fall below 60% in the top 3 on the held-out requests, written after the tuning', async ({
    annotate,
  }) => {
    const { heldOut } = await loadQueries();

    const accuracy = await measure(heldOut);

    const summary = describeAccuracy('held-out set', accuracy);
    await annotate(summary);
    expect(
      accuracy.top3 / accuracy.total,
      `${summary}\nmisses:\n${accuracy.misses.join('\n')}`,
    ).toBeGreaterThanOrEqual(0.6);
  });
});
