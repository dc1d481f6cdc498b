import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import {
  CONFORMANCE_SERVER_SCENARIOS,
  runConformance,
  startConformanceFixture,
  type ConformanceFixture,
} from '../helpers/conformance.js';
import { fixturePath } from '../helpers/fixture-path.js';
import type { HttpGateway } from '../helpers/gateway-process.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';

/**
 * Scenarios that check something the gateway's front door chooses not to do, where the suite's own verdict (no
 * failed check) is what counts.
 */
const NO_FAILURE_IS_ENOUGH: Readonly<Record<string, string>> = {
  'server-sse-polling':
    'SEP-1699 lets a server close its SSE stream mid-call and the client resume it; the fixture does so directly. ' +
    'The gateway keeps the stream of a forwarded call open until the result (it cannot see a stdio backend close ' +
    'anything), so the suite has nothing to check and reports only warnings and info, no failure.',
};

/**
 * The official conformance suite's server scenarios, run against the gateway's HTTP endpoint with the conformance
 * fixture behind it (unprefixed): every scenario that passes against the fixture directly
 * (conformance-direct.test.ts) must pass through the gateway, with the fixture as a stdio backend and as an HTTP one.
 */
describe.each(['stdio', 'http'] as const)(
  'the conformance suite through the gateway (%s backend)',
  (kind) => {
    const sandbox = useProcessSandbox('conformance-gateway-');
    let gateway: HttpGateway;

    beforeAll(async () => {
      let backend: Record<string, unknown>;
      if (kind === 'http') {
        const fixture: ConformanceFixture = await startConformanceFixture(sandbox.env);
        sandbox.defer(() => fixture.stop());
        backend = { url: fixture.url.href, prefix: '' };
      } else {
        backend = {
          command: process.execPath,
          args: [fixturePath('conformance.mjs')],
          env: sandbox.env,
          prefix: '',
        };
      }
      const config = path.join(sandbox.dir, 'config.json');
      await writeFile(config, JSON.stringify({ servers: { conformance: backend } }));
      gateway = await sandbox.startHttp(['--auto-register', config]);
    });

    it('passes every server scenario that the fixture passes directly', async () => {
      const outcomes = await runConformance(gateway.url.href, CONFORMANCE_SERVER_SCENARIOS, {
        timeoutMs: 30_000,
      });
      const failed = [...outcomes].filter(([scenario, outcome]) =>
        scenario in NO_FAILURE_IS_ENOUGH ? !/^\d+ succeeded, 0 failed/.test(outcome.detail) : !outcome.passed,
      );
      expect(failed.map(([scenario, outcome]) => `${scenario}: ${outcome.detail}`)).toEqual([]);
      expect(outcomes.size).toBe(CONFORMANCE_SERVER_SCENARIOS.length);
    });
  },
);
