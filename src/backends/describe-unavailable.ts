/**
 * What a call hears when its backend is not ready: the state, why, and what comes next or what to do.
 */
import { GatewayError } from '../errors/gateway-error.js';
import type { BackendState } from '../shared/backend-info.js';
import { formatSeconds } from '../shared/format-duration.js';
import { STDERR_TAIL } from './connection/describe-failure.js';

/** The last error of a backend disabled while the gateway runs (the dashboard's Disable), not by its config. */
export const DISABLED_ON_REQUEST = 'disabled on request while the gateway runs';

/**
 * `failed: could not start: command "nodee" was not found; fix the config or call restart_server`, to follow
 * `backend "<name>" is `.
 */
export function describeUnavailable(
  name: string,
  state: BackendState,
  lastError: string | undefined,
  retryAt: number | undefined,
): string {
  // The reason usually starts with `backend "<name>" ` (and `is `), which the caller's message already says.
  const reason = lastError?.replace(`backend "${name}" `, '');
  if (state === 'needs_authorization') return reason?.replace(/^is /, '') ?? 'waiting for authorization';
  const advise = (advice: string): string => `${state}${withAdvice(reason, advice)}`;
  switch (state) {
    case 'disabled':
      return lastError === DISABLED_ON_REQUEST
        ? `${DISABLED_ON_REQUEST} (from the dashboard); enable it there again to start it`
        : 'disabled in the config; set "disabled": false (or remove the key) to start it';
    case 'starting':
      return advise('try again once it is ready (list_servers shows its state)');
    case 'failed':
      return retryAt === undefined
        ? advise('fix the config or call restart_server')
        : advise(`retrying in ${formatSeconds(Math.max(0, retryAt - Date.now()))}`);
    default:
      return `${state}${reason === undefined ? '' : `: ${reason}`}`;
  }
}

/** The error of a request (of `tool`, when one) that cannot reach backend `name` now, in `state`. */
export function unavailableError(
  name: string,
  state: BackendState,
  lastError: string | undefined,
  retryAt: number | undefined,
  tool?: string,
): GatewayError {
  const described = describeUnavailable(name, state, lastError, retryAt);
  return new GatewayError('backend_unavailable', `backend "${name}" is ${described}`, {
    backend: name,
    tool,
  });
}

/** `: <reason>; <advice>`, the advice before the backend's last stderr lines when the reason ends with them. */
function withAdvice(reason: string | undefined, advice: string): string {
  if (reason === undefined) return `; ${advice}`;
  const stderrAt = reason.indexOf(STDERR_TAIL);
  if (stderrAt === -1) return `: ${reason}; ${advice}`;
  return `: ${reason.slice(0, stderrAt)}; ${advice}${reason.slice(stderrAt)}`;
}
