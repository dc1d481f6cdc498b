/**
 * `forwardToPeer` between two real HTTP servers on loopback and a raw TCP client: a stream that stays quiet gets its
 * head at once, and a large body passes whole through the back-pressure.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { silentLogger } from '../../../../src/logger.js';
import { createPeerAgent, forwardToPeer } from '../../../../src/transports/peers/forward-to-peer.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
});

async function listen(handler: Handler): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
}

/** A front door that passes every request to `owner`. */
async function frontDoor(owner: string): Promise<number> {
  const agent = createPeerAgent();
  const url = await listen((req, res) => {
    void forwardToPeer(req, res, {
      url: owner,
      hop: 'test;signature',
      agent,
      logger: silentLogger,
      refuse: (response, { status }) => response.writeHead(status).end(),
    });
  });
  servers.at(-1)?.once('close', () => agent.destroy());
  return Number(new URL(url).port);
}

/** A raw request on a new connection; `onChunk` sees each piece read from the socket, as it was read. */
function rawExchange(port: number, onChunk: (text: string, all: string) => void): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.write('POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}');
  let all = '';
  socket.on('data', (chunk: Buffer) => {
    all += chunk.toString('utf8');
    onChunk(chunk.toString('utf8'), all);
  });
  return once(socket, 'close').then(() => all);
}

describe('forwardToPeer', () => {
  it('sends the head of a stream that stays quiet', async () => {
    let release: () => void = () => undefined;
    const owner = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      release = () => res.end();
    });
    const port = await frontDoor(owner);
    let headSeen = false;

    const answer = await rawExchange(port, (_text, all) => {
      if (!headSeen && all.includes('\r\n\r\n')) {
        headSeen = true;
        // Only now does the owner end its stream: the head came while the stream was quiet.
        release();
      }
    });

    expect(headSeen).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*content-type: text\/event-stream\r\n/);
    expect(answer.endsWith('0\r\n\r\n')).toBe(true);
  });

  it('passes a large body whole', async () => {
    const body = 'x'.repeat(4 * 1024 * 1024);
    const owner = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      res.end(body);
    });
    const port = await frontDoor(owner);

    const answer = await rawExchange(port, () => undefined);

    expect(answer).toContain('content-length: 4194304\r\n');
    expect(answer.slice(answer.indexOf('\r\n\r\n') + 4)).toBe(body);
  });
});
