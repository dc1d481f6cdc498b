/**
 * The front-door contract over Streamable HTTP, in this process: `serveHttp` on 127.0.0.1 and a free port, and the
 * SDK's Streamable HTTP client transport.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { silentLogger } from '../../src/logger.js';
import { serveHttp } from '../../src/transports/http/serve-http.js';
import { runFrontDoorContract } from './front-door.case.js';

runFrontDoorContract('Streamable HTTP', async (gateway, options) => {
  const door = await serveHttp(gateway, { host: '127.0.0.1', port: 0, logger: silentLogger });
  const client = new Client({ name: 'contract-http', version: '1.0.0' }, options);
  await client.connect(new StreamableHTTPClientTransport(new URL(door.url)));
  return {
    client,
    close: async () => {
      await client.close();
      await door.close();
    },
  };
});
