/**
 * How the gateway reaches a client through its session's SDK Server: outside any call (the session's peer), and on
 * the stream of a request one of the Server's handlers serves (the caller channel). Results of requests passed up
 * to a client come back unchanged.
 */
import type { Server, ServerContext } from '@modelcontextprotocol/server';
import { z } from 'zod';

import type { CallerChannel } from '../rpc/caller-channel.js';
import { envelopeLogLevel } from './hub/log-levels.js';
import type { SessionPeer } from './hub/session-state.js';

/** What the Server's request handlers receive besides the request. */
export type HandlerExtra = ServerContext;

/** A client's answer, checked for nothing but being an object: a proxy passes results on as they came. */
export const PassThroughResult = z.looseObject({});

/** The session's peer: the Server's own notifications and requests. */
export function peerOf(server: Server): SessionPeer {
  return {
    clientCapabilities: () => server.getClientCapabilities(),
    notify: (notification) => server.notification(notification),
    request: (request, signal) => server.request(request, PassThroughResult, { signal }),
  };
}

/** The channel of a request served by one of the Server's handlers. */
export function callerOf(extra: HandlerExtra): CallerChannel {
  return {
    signal: extra.mcpReq.signal,
    sendRequest: (request, signal) => extra.mcpReq.send(request, PassThroughResult, { signal }),
    sendNotification: (notification) => extra.mcpReq.notify(notification),
    logLevel: envelopeLogLevel(extra.mcpReq.envelope),
  };
}
