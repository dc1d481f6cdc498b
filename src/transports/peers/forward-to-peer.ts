/**
 * Passes one HTTP request to the replica that owns it and streams the answer back unbuffered (a JSON body or an SSE
 * stream alike), keeping the client's headers (`Mcp-Session-Id`, `Last-Event-ID`, `MCP-Protocol-Version`,
 * `Authorization`: the owner runs every check again). An owner that cannot be reached (connection refused, no
 * connection within the connect timeout) means the session is gone: the client gets 404 and re-initialises, as
 * the spec says. A client that goes away ends the forwarded request, so the owner sees its stream close.
 */
import {
  Agent,
  request,
  type ClientRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';

import type { Logger } from '../../logger.js';
import type { Rejection } from '../http/http-responses.js';
import { HOP_HEADER } from './peer-routing.js';

/** Errors of a kept-alive connection the peer closed just before a request was written on it. */
const STALE_CONNECTION = new Set(['ECONNRESET', 'EPIPE']);

/** How long connecting to an owner may take before the session counts as gone. */
export const PEER_CONNECT_TIMEOUT_MS = 1000;

/** Headers that belong to one connection, never passed on (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  HOP_HEADER,
]);

/** What one forward needs. */
export interface ForwardOptions {
  /** The owner's MCP endpoint. */
  readonly url: string;
  /** The hop header's value (see `signHop`). */
  readonly hop: string;
  /** The body, when it was read already (2026-07-28 requests are routed by it); otherwise `req` is piped. */
  readonly body?: Buffer | undefined;
  readonly agent: Agent;
  readonly logger: Logger;
  /** Answers the client when the owner is gone. */
  readonly refuse: (res: ServerResponse, rejection: Rejection) => void;
}

/**
 * The kept-alive connections to peers (one agent per front door, destroyed with it). A request that meets a
 * connection the peer has just closed is sent again on a new one (see `forwardToPeer`).
 */
export function createPeerAgent(): Agent {
  return new Agent({ keepAlive: true });
}

/** Forwards `req` to its owner; resolves once the answer was passed back (or the exchange ended). */
export function forwardToPeer(
  req: IncomingMessage,
  res: ServerResponse,
  options: ForwardOptions,
): Promise<void> {
  const { logger } = options;
  const target = new URL(options.url);
  const search = new URL(req.url ?? '/', 'http://localhost').search;
  const headers = passedOn(req.headers);
  headers[HOP_HEADER] = options.hop;
  if (options.body !== undefined) headers['content-length'] = String(options.body.length);
  return new Promise<void>((resolve) => {
    let answered = false;
    let retried = false;
    // What the client sent so far, kept (bounded by the body limit) so that a request can be sent again on a new
    // connection when a kept-alive one turns out to have been closed by the owner.
    const received: Buffer[] = [];
    let receivedAll = false;
    let upstream: ClientRequest;

    const gone = (reason: string): void => {
      if (answered || res.headersSent) {
        res.destroy();
      } else {
        logger.debug('the owner of a request cannot be reached; answering 404', {
          owner: target.host,
          reason,
        });
        options.refuse(res, { status: 404, message: 'Session not found' });
      }
      resolve();
    };
    const send = (): void => {
      const attempt = request(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          path: target.pathname + search,
          method: req.method,
          headers,
          agent: options.agent,
        },
        (answer: IncomingMessage) => {
          answered = true;
          res.writeHead(answer.statusCode ?? 502, passedOn(answer.headers));
          relayAnswer(answer, res);
          answer.once('error', () => res.destroy());
          answer.once('close', () => {
            if (!answer.complete) res.destroy();
            resolve();
          });
        },
      );
      upstream = attempt;
      attempt.once('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(
          () => attempt.destroy(new Error('connect timeout')),
          PEER_CONNECT_TIMEOUT_MS,
        );
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      attempt.on('error', (error: NodeJS.ErrnoException) => {
        if (attempt !== upstream) return;
        // The owner closed an idle kept-alive connection as the request went out: once more, on a new one.
        if (!answered && !retried && attempt.reusedSocket && STALE_CONNECTION.has(error.code ?? '')) {
          retried = true;
          send();
          return;
        }
        gone(error.message);
      });
      if (options.body !== undefined) {
        attempt.end(options.body);
        return;
      }
      for (const chunk of received) attempt.write(chunk);
      if (receivedAll) attempt.end();
    };
    send();
    if (options.body === undefined) {
      req.on('data', (chunk: Buffer) => {
        received.push(chunk);
        upstream.write(chunk);
      });
      req.once('end', () => {
        receivedAll = true;
        upstream.end();
      });
    }
    // The client went away: the owner sees the request (or its stream) end.
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
      resolve();
    });
  });
}

/**
 * Writes `answer` to `res`, each read held until the end of its turn so that what follows in the same turn goes out
 * with it, in one write: the head with the first event (an SSE answer starts with the event whose id lets the
 * client resume it: a client that got the head alone, as this replica died, could not), and the last event with the
 * end of the answer (the owner sends them in one read; written apart, they wake the client twice). A stream that
 * stays quiet still has its head sent on the next turn: the client learns it is open.
 */
function relayAnswer(answer: IncomingMessage, res: ServerResponse): void {
  // What came in this turn: joined once, when it is written (a large answer arrives in many reads).
  let held: Buffer[] = [];
  let turn: NodeJS.Immediate | undefined;
  const take = (): Buffer | undefined => {
    const chunks = held;
    held = [];
    return chunks.length <= 1 ? chunks[0] : Buffer.concat(chunks);
  };
  const release = (): void => {
    turn = undefined;
    const chunk = take();
    if (res.destroyed) return;
    if (chunk === undefined) {
      res.flushHeaders();
    } else if (!res.write(chunk)) {
      answer.pause();
      res.once('drain', () => answer.resume());
    }
  };
  turn = setImmediate(release);
  answer.on('data', (chunk: Buffer) => {
    held.push(chunk);
    turn ??= setImmediate(release);
  });
  answer.once('end', () => {
    if (turn !== undefined) clearImmediate(turn);
    const chunk = take();
    if (chunk === undefined) res.end();
    else res.end(chunk);
  });
}

/** `headers` without the connection's own. */
function passedOn(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) kept[name] = value;
  }
  return kept;
}
