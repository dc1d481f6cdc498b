/**
 * The audit log of the built gateway, over HTTP with two named tokens and over stdio: one line per client request
 * that reaches a backend and per change, on disk before the client has its answer, naming the token's name and
 * never the token; `audit.required` refusing calls while the file cannot be written.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { callTool, fixtureServer, type HttpGateway } from '../helpers/gateway-process.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdef';

/** One parsed line of the audit log. */
type Line = Record<string, unknown>;

/** The lines of the audit log now: read at once, never waited for. */
function linesOf(file: string): Line[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Line);
}

/** Writes a config with `echo` and `conf` (the conformance fixture), a pipeline over echo, and `extra`. */
async function writeConfig(
  dir: string,
  env: Readonly<Record<string, string>>,
  extra: object,
): Promise<string> {
  const file = path.join(dir, 'config.json');
  await writeFile(
    file,
    JSON.stringify({
      servers: {
        echo: fixtureServer('echo.mjs', { env }),
        conf: fixtureServer('conformance.mjs', { env }),
      },
      pipelines: {
        twice: {
          description: 'echoes twice',
          steps: [
            { id: 'first', server: 'echo', tool: 'echo', params: { text: 'one' } },
            { id: 'second', server: 'echo', tool: 'echo', params: { text: 'two' } },
          ],
        },
      },
      ...extra,
    }),
  );
  return file;
}

describe('the audit log over HTTP, with two named tokens', () => {
  const sandbox = useProcessSandbox('audit-http-');
  let gateway: HttpGateway;
  let audit: string;
  let config: string;

  beforeAll(async () => {
    audit = path.join(sandbox.dir, 'audit.jsonl');
    config = await writeConfig(sandbox.dir, sandbox.env, { audit: { file: 'audit.jsonl', arguments: true } });
    gateway = await sandbox.startHttp([
      '--auto-register',
      config,
      '--auth-token',
      `alice=${ALICE}`,
      '--auth-token',
      `bob=${BOB}`,
      '--allow-register',
    ]);
  });

  /** The lines that were not there before `act` ran, read as soon as its answer came. */
  async function linesOfAct(act: () => Promise<unknown>): Promise<Line[]> {
    const before = linesOf(audit).length;
    await act();
    return linesOf(audit).slice(before);
  }

  it('writes the line of a tools/call before the answer, naming the token and the client, with redacted arguments', async () => {
    const client = await gateway.connect(ALICE);
    const lines = await linesOfAct(async () => {
      expect(textOf(await callTool(client, 'echo__echo', { text: 'hi', apiToken: 'not-for-the-log' }))).toBe(
        'hi',
      );
    });
    expect(lines).toEqual([
      expect.objectContaining({
        event: 'call',
        principal: 'alice',
        frontDoor: 'http-legacy',
        session: expect.any(String) as unknown,
        clientName: 'gateway-http-test',
        clientVersion: '1.0.0',
        server: 'echo',
        method: 'tools/call',
        tool: 'echo',
        route: 'tool',
        outcome: 'ok',
        durationMs: expect.any(Number) as unknown,
        arguments: { text: 'hi', apiToken: '[redacted]' },
      }),
    ]);
    expect(Date.parse(String(lines[0]?.time))).toBeGreaterThan(Date.now() - 60_000);
  });

  it('records call_backend, each pipeline step, a tool error and a backend error under the caller', async () => {
    const client = await gateway.connect(BOB);
    const lines = await linesOfAct(async () => {
      await callTool(client, 'call_backend', { server: 'echo', tool: 'echo', params: { text: 'x' } });
      await callTool(client, 'route_pipeline', { scenario: 'twice' });
      await callTool(client, 'echo__fail');
      await client.callTool({ name: 'echo__throw_error' }).catch(() => undefined);
    });
    expect(
      lines.map((line) => [line.principal, line.route, line.tool, line.outcome, line.errorCode]),
    ).toEqual([
      ['bob', 'call_backend', 'echo', 'ok', undefined],
      ['bob', 'pipeline', 'echo', 'ok', undefined],
      ['bob', 'pipeline', 'echo', 'ok', undefined],
      ['bob', 'tool', 'fail', 'tool-error', undefined],
      ['bob', 'tool', 'throw_error', 'error', -32602],
    ]);
  });

  it('records resources/read and prompts/get', async () => {
    const client = await gateway.connect(ALICE);
    const lines = await linesOfAct(async () => {
      await client.readResource({ uri: 'test://static-text' });
      const { prompts } = await client.listPrompts();
      const prompt = prompts.find((candidate) => candidate.name.endsWith('test_simple_prompt'));
      await client.getPrompt({ name: prompt?.name ?? 'missing' });
    });
    expect(lines).toEqual([
      expect.objectContaining({
        principal: 'alice',
        server: 'conf',
        method: 'resources/read',
        route: 'request',
        outcome: 'ok',
        arguments: { uri: 'test://static-text' },
      }),
      expect.objectContaining({
        principal: 'alice',
        server: 'conf',
        method: 'prompts/get',
        tool: 'test_simple_prompt',
        outcome: 'ok',
      }),
    ]);
  });

  it('records register_server, restart_server and remove_server as changes', async () => {
    const client = await gateway.connect(ALICE);
    const [command, ...args] = [process.execPath, path.resolve('test/fixtures/servers/echo.mjs')];
    const lines = await linesOfAct(async () => {
      const registered = await callTool(client, 'register_server', {
        name: 'extra',
        command,
        args,
        env: sandbox.env,
      });
      expect(registered.isError).not.toBe(true);
      await callTool(client, 'restart_server', { name: 'extra' });
      await callTool(client, 'remove_server', { name: 'extra' });
      await callTool(client, 'remove_server', { name: 'never-there' });
    });
    expect(lines.map((line) => [line.event, line.action, line.server, line.outcome, line.principal])).toEqual(
      [
        ['change', 'register', 'extra', 'ok', 'alice'],
        ['change', 'restart', 'extra', 'ok', 'alice'],
        ['change', 'remove', 'extra', 'ok', 'alice'],
        ['change', 'remove', 'never-there', 'error', 'alice'],
      ],
    );
  });

  it('records a config reload as the operator, with the servers it changed', async () => {
    const before = linesOf(audit).length;
    const current = JSON.parse(readFileSync(config, 'utf8')) as { servers: Record<string, unknown> };
    current.servers.echo2 = fixtureServer('echo.mjs', { env: sandbox.env });
    await writeFile(config, JSON.stringify(current));
    const reload = await waitFor(
      () =>
        linesOf(audit)
          .slice(before)
          .find((line) => line.action === 'reload'),
      { description: 'the reload line', timeoutMs: 15_000 },
    );
    expect(reload).toMatchObject({
      event: 'change',
      principal: 'operator',
      outcome: 'ok',
      detail: { reason: 'the file changed', added: ['echo2'], removed: [], restarted: [] },
    });
    expect(reload.session).toBeUndefined();
  });

  it('never writes a token, to the audit log or to stderr', () => {
    const text = readFileSync(audit, 'utf8');
    expect(text).not.toContain(ALICE);
    expect(text).not.toContain(BOB);
    expect(text).not.toContain('not-for-the-log');
    expect(gateway.stderr()).not.toContain(ALICE);
    expect(gateway.stderr()).not.toContain(BOB);
  });
});

describe('an audit log that cannot be written', () => {
  const sandbox = useProcessSandbox('audit-unwritable-', { per: 'test' });

  /** A path under a regular file: no one, root included, can create it. */
  async function unwritablePath(): Promise<string> {
    const blocker = path.join(sandbox.dir, 'blocker');
    await writeFile(blocker, '');
    return path.join(blocker, 'audit.jsonl');
  }

  it('with audit.required, refuses calls with an error that says why', async () => {
    const config = await writeConfig(sandbox.dir, sandbox.env, {
      audit: { file: await unwritablePath(), required: true },
    });
    const gateway = await sandbox.startHttp(['--auto-register', config]);
    const client = await gateway.connect();
    for (let i = 0; i < 3; i++) {
      await expect(callTool(client, 'echo__echo', { text: 'x' })).rejects.toThrow(
        /audit log cannot be written \(ENOTDIR\).*requires every call to be recorded/,
      );
    }
    // Lists are no calls: they are served.
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    expect(gateway.stderr().match(/cannot be written/g)).toHaveLength(1);
    expect(gateway.stderr()).toContain('calls are refused until it can (audit.required)');
  });

  it('without it, serves the calls and says so on stderr once', async () => {
    const gateway = await sandbox.startHttp([
      '--auto-register',
      await writeConfig(sandbox.dir, sandbox.env, {}),
      '--audit-log',
      await unwritablePath(),
    ]);
    const client = await gateway.connect();
    for (let i = 0; i < 5; i++)
      expect(textOf(await callTool(client, 'echo__echo', { text: `${i}` }))).toBe(`${i}`);
    expect(gateway.stderr().match(/cannot be written/g)).toHaveLength(1);
    expect(gateway.stderr()).toContain('records are lost until it can');
  });
});

describe('the audit log over stdio', () => {
  const sandbox = useProcessSandbox('audit-stdio-');

  it('records calls of the local principal', async () => {
    const audit = path.join(sandbox.dir, 'stdio-audit.jsonl');
    const config = await writeConfig(sandbox.dir, sandbox.env, {});
    const gateway = await sandbox.connectStdio(['--auto-register', config, '--audit-log', audit]);
    expect(textOf(await callTool(gateway.client, 'echo__echo', { text: 'local' }))).toBe('local');
    expect(linesOf(audit)).toEqual([
      expect.objectContaining({
        principal: 'local',
        frontDoor: 'stdio',
        session: expect.any(String) as unknown,
        clientName: 'gateway-test',
        server: 'echo',
        tool: 'echo',
        outcome: 'ok',
      }),
    ]);
    expect(linesOf(audit)[0]?.arguments).toBeUndefined();
  });
});
