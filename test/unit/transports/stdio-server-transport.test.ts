import { PassThrough } from 'node:stream';

import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';

import { StdioServerTransport } from '../../../src/transports/stdio-server-transport.js';

let input: PassThrough;
let output: PassThrough;
let transport: StdioServerTransport;
let received: JSONRPCMessage[];
let errors: string[];

async function open(maxLineBytes?: number): Promise<void> {
  input = new PassThrough();
  output = new PassThrough();
  transport = new StdioServerTransport(input, output, maxLineBytes);
  received = [];
  errors = [];
  transport.onmessage = (message) => received.push(message);
  transport.onerror = (error) => errors.push(error.message);
  await transport.start();
}

afterEach(async () => {
  await transport.close();
});

describe('StdioServerTransport', () => {
  it('reads one message per line, across chunk boundaries and with CRLF endings', async () => {
    await open();
    input.write('{"jsonrpc":"2.0","id":1,"method":"ping"}\n{"jsonrpc":"2.0",');
    input.write('"method":"notifications/initialized"}\r\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
    ]);
  });

  it('reports lines that are not JSON or not JSON-RPC, skips blank ones, and keeps reading', async () => {
    await open();
    input.write('not json\n\n{"id":1}\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain('not JSON');
    expect(errors[1]).toContain('not a JSON-RPC 2.0 message');
    expect(received).toEqual([{ jsonrpc: '2.0', id: 2, method: 'ping' }]);
  });

  it('writes each message as one line', async () => {
    await open();
    const written: string[] = [];
    output.on('data', (chunk: Buffer) => written.push(chunk.toString('utf8')));
    await transport.send({ jsonrpc: '2.0', id: 1, result: {} });
    expect(written.join('')).toBe('{"jsonrpc":"2.0","id":1,"result":{}}\n');
  });

  it('closes when stdin ends, and refuses to send afterwards', async () => {
    await open();
    let closed = false;
    transport.onclose = () => (closed = true);
    input.end();
    await transport.closed;
    expect(closed).toBe(true);
    await expect(transport.send({ jsonrpc: '2.0', id: 1, result: {} })).rejects.toThrow('closed');
  });

  it('ends the connection on a line over the limit instead of buffering it', async () => {
    await open(64);
    input.write(`{"jsonrpc":"2.0","method":"${'x'.repeat(100)}`);
    await transport.closed;
    expect(errors[0]).toContain('exceeded the limit of 64 bytes');
    expect(received).toEqual([]);
  });
});
