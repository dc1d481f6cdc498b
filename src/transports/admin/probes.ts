/**
 * The probes both HTTP listeners answer: `/healthz` (liveness: the process serves; 503 only once it is shutting
 * down) and `/readyz` (readiness: 200 once the configured backends had their first attempt, with what is starting
 * or failed, by name).
 */
import type { ServerResponse } from 'node:http';

import { sendJson } from '../http/http-responses.js';

/** What the readiness probe says of the gateway's backends: names only, never how they are started. */
export interface Readiness {
  readonly ready: boolean;
  readonly starting: readonly string[];
  readonly failed: readonly string[];
  /** The gateway is draining (shutting down): not ready, whatever its backends. */
  readonly stopping?: boolean | undefined;
}

/** Answers `/healthz`. */
export function answerHealth(res: ServerResponse, stopping: boolean): void {
  sendJson(res, stopping ? 503 : 200, { status: stopping ? 'stopping' : 'ok' });
}

/** Answers `/readyz` from `readiness` (ready when none is given). */
export function answerReadiness(
  res: ServerResponse,
  readiness: (() => Readiness) | undefined,
  stopping: boolean,
): void {
  const { ready, starting, failed, ...rest } = readiness?.() ?? { ready: true, starting: [], failed: [] };
  const status = stopping || rest.stopping === true ? 'stopping' : ready ? 'ready' : 'starting';
  sendJson(res, status === 'ready' ? 200 : 503, { status, starting, failed });
}
