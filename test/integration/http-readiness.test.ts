/**
 * The HTTP gateway's probes while its backends start: the port answers at once, `/healthz` says the process is
 * alive, `/readyz` says 503 until every configured backend had its first attempt, then 200 naming the failed ones
 * (names only: never how they are started).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import { CLI_PATH, PROJECT_ROOT } from '../helpers/gateway-process.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { waitFor } from '../helpers/wait-for.js';

const sandbox = useProcessSandbox('http-readiness-', { per: 'test' });

async function probe(url: URL, pathname: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(new URL(pathname, url));
  return { status: response.status, body: await response.json() };
}

describe('the HTTP probes while backends start', () => {
  it('answers /healthz at once and /readyz 503 until the backends settled, then 200 naming the failed ones', async () => {
    const env = sandbox.env;
    const config = path.join(sandbox.dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        servers: {
          slow: {
            command: process.execPath,
            args: [fixturePath('slow-start.mjs')],
            env: { ...env, FIXTURE_START_DELAY_MS: '3000' },
          },
          broken: { command: 'no-such-command-here', env: { SECRET_VALUE: 'hunter2' }, restart: false },
        },
      }),
    );
    const child = spawn(
      process.execPath,
      [CLI_PATH, '--transport', 'streamable-http', '--port', '0', '--auto-register', config],
      {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    try {
      const url = await waitFor(() => /serving MCP over Streamable HTTP at (\S+)/.exec(stderr)?.[1], {
        description: 'the port to be served',
        timeoutMs: 10_000,
      }).then((found) => new URL(found));

      expect(await probe(url, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
      const starting = await probe(url, '/readyz');
      expect(starting.status).toBe(503);
      expect(starting.body).toMatchObject({
        status: 'starting',
        starting: expect.arrayContaining(['slow']) as string[],
      });

      const ready = await waitFor(
        async () => {
          const answer = await probe(url, '/readyz');
          return answer.status === 200 ? answer : undefined;
        },
        { description: '/readyz to answer 200', timeoutMs: 15_000 },
      );
      expect(ready.body).toEqual({ status: 'ready', starting: [], failed: ['broken'] });
      expect(JSON.stringify(ready.body)).not.toContain('no-such-command-here');
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  });
});
