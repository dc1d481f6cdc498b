/**
 * The bytes a listener's connections read and wrote, from the sockets' own counts: nothing is counted per request,
 * and what is read (when metrics are collected) is what crossed the wire, headers and framing included.
 */
import type { Server, Socket } from 'node:net';

import type { TrafficCount } from './session-opener.js';

/** Follows every connection of `server`; returns the function that reads the totals so far. */
export function socketTraffic(server: Server): () => TrafficCount {
  const open = new Set<Socket>();
  let closedIn = 0;
  let closedOut = 0;
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      closedIn += socket.bytesRead;
      closedOut += socket.bytesWritten;
    });
  });
  return () => {
    let bytesIn = closedIn;
    let bytesOut = closedOut;
    for (const socket of open) {
      bytesIn += socket.bytesRead;
      bytesOut += socket.bytesWritten;
    }
    return { in: bytesIn, out: bytesOut };
  };
}
