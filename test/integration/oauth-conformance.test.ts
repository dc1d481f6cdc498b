/**
 * The conformance suite's client `auth/*` scenarios against the gateway's backend connector: each scenario's server
 * and authorization server are the suite's, and the client under test is `test/fixtures/oauth-conformance-driver.mjs`
 * (the built registry with the gateway's OAuth client, approving each authorization as a person would). The suite's
 * CLI runs on Node 22+ (see test/helpers/conformance/suite-node.ts), one scenario per process.
 */
import type { ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ensureSuiteNode } from '../helpers/conformance.js';
import { runCli } from '../helpers/conformance/cli.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

/** The scenarios the connector passes, and the revision each runs at. */
const SCENARIOS: readonly (readonly [string, string])[] = [
  ...[
    'metadata-default',
    'metadata-var1',
    'metadata-var2',
    'metadata-var3',
    'basic-cimd',
    'scope-from-www-authenticate',
    'scope-from-scopes-supported',
    'scope-omitted-when-undefined',
    'scope-step-up',
    'scope-retry-limit',
    'token-endpoint-auth-basic',
    'token-endpoint-auth-post',
    'token-endpoint-auth-none',
    'pre-registration',
  ].map((name) => [`auth/${name}`, '2025-11-25'] as const),
  ...[
    'resource-mismatch',
    'offline-access-scope',
    'offline-access-not-supported',
    'authorization-server-migration',
    'iss-supported',
    'iss-not-advertised',
    'iss-supported-missing',
    'iss-wrong-issuer',
    'iss-unexpected',
    'iss-normalized',
    'metadata-issuer-mismatch',
  ].map((name) => [`auth/${name}`, '2026-07-28'] as const),
  // The 2025-03-26 revision's discovery: no protected resource metadata, the authorization server's metadata at the
  // server's root, or no metadata at all and the default endpoints (/authorize, /token, /register).
  ...['2025-03-26-oauth-metadata-backcompat', '2025-03-26-oauth-endpoint-fallback'].map(
    (name) => [`auth/${name}`, '2025-03-26'] as const,
  ),
  // The extensions, each through its `oauth` option (see the driver): client credentials with a client secret or
  // private_key_jwt, DPoP (with and without nonces), enterprise-managed authorization, workload identity.
  ...[
    'client-credentials-basic',
    'client-credentials-jwt',
    'dpop',
    'dpop-nonce',
    'enterprise-managed-authorization',
    'wif-jwt-bearer',
  ].map((name) => [`auth/${name}`, 'extension'] as const),
];

/**
 * The workload identity scenario again, with the JWTs it hands out for the errors (`expired_jwt`,
 * `wrong_audience_jwt`; the driver picks the one CONFORMANCE_WIF_JWT names): the authorization server refuses it,
 * and the client must give up, neither retrying nor falling back to another grant. The suite then records the one
 * failure it was given cause for (the token's), and nothing of the client's.
 */
const REFUSED_WORKLOAD_TOKENS = [
  ['expired_jwt', 'wif-assertion-expired'],
  ['wrong_audience_jwt', 'wif-assertion-audience'],
] as const;

/** The client under test. */
const DRIVER = fileURLToPath(new URL('../fixtures/oauth-conformance-driver.mjs', import.meta.url));

interface Check {
  readonly id: string;
  readonly status: string;
  readonly errorMessage?: string;
}

let node: string;
let dir: string;
/** The checks of each run, by scenario (and, for a refused workload token, the token's name). */
const results = new Map<string, readonly Check[] | string>();

/** One run of the suite's CLI: a scenario at a revision, with what the driver is told through its environment. */
interface Run {
  readonly key: string;
  readonly scenario: string;
  readonly revision: string;
  readonly env?: Readonly<Record<string, string>>;
}

beforeAll(async () => {
  node = await ensureSuiteNode();
  dir = await makeTempDir('oauth-conformance-');
  const queue: Run[] = [
    ...SCENARIOS.map(([scenario, revision]) => ({ key: scenario, scenario, revision })),
    ...REFUSED_WORKLOAD_TOKENS.map(([jwt]) => ({
      key: jwt,
      scenario: 'auth/wif-jwt-bearer',
      revision: 'extension',
      env: { CONFORMANCE_WIF_JWT: jwt },
    })),
  ];
  const live = new Set<ChildProcess>();
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const { key, scenario, revision, env } = next;
      const outputDir = path.join(dir, key.replace('/', '-'));
      const command = `${process.execPath} ${DRIVER}`;
      const args = ['client', '--command', command, '--scenario', scenario, '--output-dir', outputDir];
      if (revision !== 'extension') args.push('--spec-version', revision);
      const run = await runCli(args, { node, cwd: dir, timeoutMs: 60_000, live, ...(env ? { env } : {}) });
      results.set(key, (await readResults(outputDir)) ?? `no results:\n${run.output.slice(-2000)}`);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}, 600_000);

afterAll(async () => {
  await removeTempDir(dir);
});

/** The checks a client scenario wrote under `outputDir` (`<dir>/auth/<name>-<time>/checks.json`). */
async function readResults(outputDir: string): Promise<readonly Check[] | undefined> {
  const folder = path.join(outputDir, 'auth');
  const entries = await readdir(folder).catch(() => [] as string[]);
  const first = entries[0];
  if (first === undefined) return undefined;
  return JSON.parse(await readFile(path.join(folder, first, 'checks.json'), 'utf8')) as Check[];
}

describe('the backend connector as an OAuth client, by the conformance suite', () => {
  it.each(SCENARIOS.map(([scenario]) => scenario))('%s', (scenario) => {
    const checks = results.get(scenario);
    if (typeof checks === 'string' || checks === undefined) throw new Error(checks ?? 'not run');
    const notable = checks
      .filter((check) => check.status === 'FAILURE' || check.status === 'WARNING')
      .map((check) => `${check.status} ${check.id}: ${check.errorMessage ?? ''}`);
    expect(notable).toEqual([]);
    expect(checks.some((check) => check.status === 'SUCCESS')).toBe(true);
  });
});

describe('the backend connector given a workload token the authorization server refuses', () => {
  it.each(REFUSED_WORKLOAD_TOKENS)(
    '%s: gives up after the refusal, without a retry or another grant',
    (jwt, cause) => {
      const checks = results.get(jwt);
      if (typeof checks === 'string' || checks === undefined) throw new Error(checks ?? 'not run');
      const notable = checks
        .filter((check) => check.status === 'FAILURE' || check.status === 'WARNING')
        .map((check) => `${check.status} ${check.id}`);
      expect(notable).toEqual([`FAILURE ${cause}`]);
    },
  );
});
