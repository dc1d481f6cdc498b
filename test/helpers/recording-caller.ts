/**
 * A call's channel for session-routing tests: it answers every request with `answeredBy: "<name> (call)"` and
 * records the notifications it is sent.
 */
import type { ServerNotification } from '@modelcontextprotocol/server';

import type { CallerChannel } from '../../src/rpc/caller-channel.js';

/** The channel of a call named `name`, and what it was told. */
export function caller(name: string): { channel: CallerChannel; notified: ServerNotification[] } {
  const notified: ServerNotification[] = [];
  const channel: CallerChannel = {
    signal: new AbortController().signal,
    sendRequest: () => Promise.resolve({ answeredBy: `${name} (call)` }),
    sendNotification: (notification) => {
      notified.push(notification);
      return Promise.resolve();
    },
  };
  return { channel, notified };
}
