/**
 * Holding the head of an answer that crosses two replicas until its first piece of body. Each write to a loopback
 * socket wakes the process that reads it, and those wake-ups are most of what a hop between replicas costs. An SSE
 * answer's head is flushed before its first event exists (the SDK answers a call at once and writes the result
 * when the backend has it), so without the hold the head and the event travel apart: two writes and two wake-ups on
 * each side of the hop instead of one.
 */
import type { ServerResponse } from 'node:http';

/**
 * How long a head may wait for its first piece of body before it is sent alone. Short: while nothing of the answer
 * has left, a load balancer that retries on a dead connection may send the request again elsewhere (and so to the
 * owner a second time) if the forwarding replica dies; a quick answer still fits in the hold.
 */
export const HEAD_HOLD_MS = 2;

/**
 * Makes `res.flushHeaders()` send the head with the first piece of body instead of at once, or alone after
 * `holdMs` if no body came by then (a stream that stays quiet still tells its reader soon that it is open).
 */
export function holdHead(res: ServerResponse, holdMs = HEAD_HOLD_MS): void {
  const flush = res.flushHeaders.bind(res);
  let timer: NodeJS.Timeout | undefined;
  res.flushHeaders = () => {
    if (timer !== undefined) return;
    const sent = res.socket?.bytesWritten ?? 0;
    timer = setTimeout(() => {
      // Anything written since: the head went with it.
      if (!res.writableEnded && !res.destroyed && (res.socket?.bytesWritten ?? 0) === sent) flush();
    }, holdMs);
  };
  res.once('close', () => clearTimeout(timer));
}
