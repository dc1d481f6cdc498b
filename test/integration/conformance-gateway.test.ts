import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import {
  CONFORMANCE_FIXTURES,
  runConformance,
  scenariosToPass,
  startConformanceFixture,
  type ConformanceFixtureName,
  type ConformanceOutcome,
} from '../helpers/conformance.js';
import { fixturePath } from '../helpers/fixture-path.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';

/**
 * The revision every fixture scenario passes through the gateway at. Its backend client speaks the 2025 era to the
 * fixture; at 2026-07-28 its front door passes part of the set so far (test/helpers/conformance-report.ts prints
 * which), so that revision is not asserted here yet.
 */
const REVISION = '2025-11-25';

/**
 * Scenarios that check something the gateway's front door chooses not to do, where the suite's own verdict (no
 * failed check) is what counts.
 */
const NO_FAILURE_IS_ENOUGH: Readonly<Record<string, string>> = {
  'server-sse-polling':
    'SEP-1699 lets a server close its SSE stream mid-call and the client resume it; the fixtures do so directly. ' +
    'The gateway keeps the stream of a forwarded call open until the result (it cannot see a stdio backend close ' +
    'anything), so the suite has nothing to check and reports only warnings and info, no failure.',
};

/** The fixture and backend kind of each gateway measured. */
const SETUPS = [
  ['legacy', 'stdio'],
  ['legacy', 'http'],
  ['modern', 'stdio'],
  ['modern', 'http'],
] as const satisfies readonly (readonly [ConformanceFixtureName, 'stdio' | 'http'])[];

/** Deadline of the four suite runs; each scenario is bounded by runConformance. */
const SUITE_DEADLINE_MS = 240_000;

/**
 * The official conformance suite's server scenarios at 2025-11-25, run against the gateway's HTTP endpoint with a
 * conformance fixture behind it (unprefixed): every scenario that passes against the fixture directly
 * (conformance-direct.test.ts) must pass through the gateway, with the fixture as a stdio backend and as an HTTP one.
 * Both fixtures: the legacy one (SDK v1) and the modern one (SDK v2, which serves 2025 clients as well).
 */
describe(`the conformance suite through the gateway at ${REVISION}`, () => {
  const sandbox = useProcessSandbox('conformance-gateway-');
  const results = new Map<string, Map<string, ConformanceOutcome>>();

  /** Starts a gateway in front of `fixture` as a `kind` backend and runs the suite against it. */
  async function measure(fixture: ConformanceFixtureName, kind: 'stdio' | 'http'): Promise<void> {
    let backend: Record<string, unknown>;
    if (kind === 'http') {
      const started = await startConformanceFixture(fixture, sandbox.env);
      sandbox.defer(() => started.stop());
      backend = { url: started.url.href, prefix: '' };
    } else {
      backend = {
        command: process.execPath,
        args: [fixturePath(CONFORMANCE_FIXTURES[fixture].file)],
        env: sandbox.env,
        prefix: '',
      };
    }
    const config = path.join(sandbox.dir, `${fixture}-${kind}.json`);
    await writeFile(config, JSON.stringify({ servers: { conformance: backend } }));
    const gateway = await sandbox.startHttp(['--auto-register', config]);
    const scenarios = scenariosToPass(fixture, REVISION);
    results.set(
      `${fixture}/${kind}`,
      await runConformance(gateway.url.href, REVISION, scenarios, { env: sandbox.env }),
    );
  }

  // Two at a time: each gateway, fixture and CLI is a process of its own, so a strict sequence would take twice as
  // long for nothing, while all four at once load two cores enough to upset the timing of tests running beside.
  beforeAll(async () => {
    for (let next = 0; next < SETUPS.length; next += 2) {
      await Promise.all(SETUPS.slice(next, next + 2).map(([fixture, kind]) => measure(fixture, kind)));
    }
  }, SUITE_DEADLINE_MS);

  it.each(SETUPS)(
    'passes every scenario that the %s fixture passes directly (as a %s backend)',
    (fixture, kind) => {
      const outcomes = results.get(`${fixture}/${kind}`);
      const failed = [...(outcomes ?? [])].filter(([scenario, outcome]) =>
        scenario in NO_FAILURE_IS_ENOUGH ? !/^\d+ succeeded, 0 failed/.test(outcome.detail) : !outcome.passed,
      );
      expect(failed.map(([scenario, outcome]) => `${scenario}: ${outcome.detail}`)).toEqual([]);
      expect(outcomes?.size).toBe(scenariosToPass(fixture, REVISION).length);
    },
  );
});
