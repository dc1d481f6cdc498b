/**
 * The config's `limits` in a real gateway process: calls per minute and calls in flight refused with a JSON-RPC
 * error that says when to retry (and recorded as `refused`), sessions per principal and in all refused with HTTP 429
 * and `Retry-After`.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { ProtocolError } from '@modelcontextprotocol/client';
import { beforeAll, describe, expect, it } from 'vitest';

import { callTool, fixtureServer, type HttpGateway } from '../helpers/gateway-process.js';
import { initializeBody, jsonHeaders, openRawSession, rawRequest } from '../helpers/http-gateway.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdef';
const CAROL = 'carol-token-0123456789abcdef';
/** The JSON-RPC code of a refusal for a limit. */
const LIMIT_EXCEEDED = -32029;

/** The lines of the audit log now. */
function linesOf(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The JSON-RPC error a call was refused with. */
async function refusalOf(call: Promise<unknown>): Promise<ProtocolError> {
  const error = await call.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(ProtocolError);
  return error as ProtocolError;
}

describe('limits of a gateway process', () => {
  const sandbox = useProcessSandbox('call-limits-');
  let gateway: HttpGateway;
  let audit: string;

  beforeAll(async () => {
    audit = path.join(sandbox.dir, 'audit.jsonl');
    const config = path.join(sandbox.dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        servers: { echo: fixtureServer('echo.mjs', { env: sandbox.env }) },
        audit: { file: 'audit.jsonl' },
        limits: {
          sessions: 6,
          perPrincipal: { sessions: 2 },
          perSession: { callsInFlight: 1 },
          principals: { alice: { callsPerMinute: 2, sessions: 3 } },
        },
      }),
    );
    gateway = await sandbox.startHttp([
      '--auto-register',
      config,
      '--auth-token',
      `alice=${ALICE}`,
      '--auth-token',
      `bob=${BOB}`,
      '--auth-token',
      `carol=${CAROL}`,
    ]);
  });

  it('refuses a call over the per-minute limit with a retry hint, and records it as refused', async () => {
    const client = await gateway.connect(ALICE);
    for (const text of ['one', 'two'])
      expect(textOf(await callTool(client, 'echo__echo', { text }))).toBe(text);
    const error = await refusalOf(callTool(client, 'echo__echo', { text: 'three' }));
    expect(error.code).toBe(LIMIT_EXCEEDED);
    expect(error.message).toMatch(
      /principal "alice" is over its limit of 2 calls per minute \(limits\.principals\.alice\.callsPerMinute\); retry in \d+ ms/,
    );
    const data = error.data as { limit: string; value: number; retryAfterMs: number };
    expect(data).toMatchObject({ limit: 'limits.principals.alice.callsPerMinute', value: 2 });
    expect(data.retryAfterMs).toBeGreaterThan(20_000);
    expect(data.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(linesOf(audit).at(-1)).toMatchObject({
      principal: 'alice',
      server: 'echo',
      tool: 'echo',
      outcome: 'refused',
      errorCode: LIMIT_EXCEEDED,
      limit: 'limits.principals.alice.callsPerMinute',
    });
    // Another principal is not held back by alice's use.
    const other = await gateway.connect(BOB);
    expect(textOf(await callTool(other, 'echo__echo', { text: 'bob' }))).toBe('bob');
  });

  it('refuses a second call in flight on one session while a slow one runs; another session goes on', async () => {
    const client = await gateway.connect(BOB);
    const slow = callTool(client, 'echo__slow', { ms: 1500 });
    await waitFor(() => gateway.stderr().includes('slow started 1500'), {
      description: 'the slow call to run',
    });
    const error = await refusalOf(callTool(client, 'echo__echo', { text: 'meanwhile' }));
    expect(error.code).toBe(LIMIT_EXCEEDED);
    expect(error.message).toContain('this session already has 1 calls in flight');
    expect((error.data as { limit: string }).limit).toBe('limits.perSession.callsInFlight');
    const other = await gateway.connect(CAROL);
    expect(textOf(await callTool(other, 'echo__echo', { text: 'elsewhere' }))).toBe('elsewhere');
    expect(textOf(await slow)).toBe('slept 1500');
    // Once it ended, the session may call again.
    expect(textOf(await callTool(client, 'echo__echo', { text: 'after' }))).toBe('after');
  });

  it("answers 429 with Retry-After to a session past its principal's limit, and serves it once one closed", async () => {
    const auth = { Authorization: `Bearer ${CAROL}` };
    // carol has one session from the test before: one more is allowed.
    const second = await openRawSession(gateway.url, auth);
    const refused = await rawRequest(gateway.url, { headers: jsonHeaders(auth), body: initializeBody() });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    const { error } = JSON.parse(refused.body) as { error: { message: string } };
    expect(error.message).toMatch(
      /^Too many sessions: principal "carol" has 2 open, its limit \(limits\.perPrincipal\.sessions\); close one/,
    );
    await rawRequest(gateway.url, {
      method: 'DELETE',
      headers: { ...auth, 'mcp-session-id': second, 'mcp-protocol-version': '2025-06-18' },
    });
    await openRawSession(gateway.url, auth);
  });

  it('answers 429 once the gateway has limits.sessions open, whoever asks', async () => {
    // Open now: alice 1, bob 2, carol 2; alice may have 3, but the sixth session is the gateway's last.
    await openRawSession(gateway.url, { Authorization: `Bearer ${ALICE}` });
    const refused = await rawRequest(gateway.url, {
      headers: jsonHeaders({ Authorization: `Bearer ${ALICE}` }),
      body: initializeBody(),
    });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.body).toContain('the gateway has 6 sessions open, its limit (limits.sessions)');
  });
});
