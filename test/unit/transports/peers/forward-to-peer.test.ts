/**
 * `forwardToPeer` between two real HTTP servers on loopback and a raw TCP client: a stream that stays quiet gets its
 * head at once, what the owner sends in one piece leaves the front door in one write, and a large body passes whole
 * through the back-pressure.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

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

/** A front door that passes every request to `owner`; each write to its clients' sockets goes into `writes`. */
async function frontDoor(owner: string, writes: string[] = []): Promise<number> {
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
  const server = servers.at(-1);
  server?.once('close', () => agent.destroy());
  // The socket's own write methods (what a Writable implements) see each write as the system call gets it.
  server?.on('connection', (socket: Socket) => {
    const write = socket._write.bind(socket);
    const writev = socket._writev?.bind(socket);
    socket._write = (chunk: Buffer, encoding, callback) => {
      writes.push(Buffer.from(chunk).toString('utf8'));
      write(chunk, encoding, callback);
    };
    if (writev) {
      socket._writev = (chunks, callback) => {
        writes.push(chunks.map(({ chunk }) => Buffer.from(chunk as Buffer).toString('utf8')).join(''));
        writev(chunks, callback);
      };
    }
  });
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

  it('writes the head with the first event, and the last event with the end of the answer', async () => {
    let finish: () => void = () => undefined;
    const owner = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('id: 1\ndata: \n\n');
      finish = () => res.end('id: 2\nevent: message\ndata: {}\n\n');
    });
    const writes: string[] = [];
    const port = await frontDoor(owner, writes);

    await rawExchange(port, (_text, all) => {
      // The owner's last piece goes out once the client has the first: two reads at the front door.
      if (all.includes('id: 1')) finish();
    });

    expect(writes).toHaveLength(2);
    expect(writes[0]).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n[0-9a-f]+\r\nid: 1\n/);
    expect(writes[1]).toMatch(/^[0-9a-f]+\r\nid: 2\nevent: message\ndata: \{\}\n\n\r\n0\r\n\r\n$/);
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
