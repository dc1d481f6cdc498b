/**
 * The built gateway serving Streamable HTTP, as a process: where it listens by default and how it ends on SIGTERM.
 * What the HTTP front door does is tested in process (test/unit/transports/http, test/contract).
 */
import { beforeAll, describe, expect, it } from 'vitest';

import { writeEchoConfig, type HttpGateway } from '../helpers/gateway-process.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { listDescendants, waitForProcessesGone } from '../helpers/process-table.js';

describe('the gateway over Streamable HTTP', () => {
  const sandbox = useProcessSandbox('gateway-http-');
  let gateway: HttpGateway;

  beforeAll(async () => {
    gateway = await sandbox.startHttp([
      '--auto-register',
      await writeEchoConfig(sandbox.dir, sandbox.marker),
    ]);
  });

  it('listens on 127.0.0.1 at /mcp', () => {
    expect(gateway.url.hostname).toBe('127.0.0.1');
    expect(gateway.url.pathname).toBe('/mcp');
  });

  it('exits 0 on SIGTERM and leaves no process', async () => {
    const client = await gateway.connect();
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('echo__echo');
    const descendants = listDescendants(gateway.child.pid ?? -1);
    expect(descendants.length).toBeGreaterThanOrEqual(1);
    expect(await gateway.stop()).toBe(0);
    await waitForProcessesGone(descendants, 6000);
    expect(gateway.stderr()).toContain('shutting down (SIGTERM)');
  });
});
