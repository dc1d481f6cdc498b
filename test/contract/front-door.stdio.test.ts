/**
 * The front-door contract over stdio, in this process: `serveStdio` on a pair of in-memory streams, and a client
 * whose transport reads and writes the other ends (the gateway's own newline-delimited transport serves the client
 * side as well).
 */
import { PassThrough } from 'node:stream';

import { Client } from '@modelcontextprotocol/client';
import { serveStdio } from '../../src/transports/stdio.js';
import { StdioServerTransport } from '../../src/transports/stdio-server-transport.js';
import { runFrontDoorContract } from './front-door.case.js';

runFrontDoorContract('stdio', async (gateway, options) => {
  const toGateway = new PassThrough();
  const fromGateway = new PassThrough();
  const door = serveStdio(gateway, { stdin: toGateway, stdout: fromGateway });
  const client = new Client({ name: 'contract-stdio', version: '1.0.0' }, options);
  await client.connect(new StdioServerTransport(fromGateway, toGateway));
  return {
    client,
    close: async () => {
      await client.close();
      await door.close();
      toGateway.end();
      fromGateway.end();
    },
  };
});
