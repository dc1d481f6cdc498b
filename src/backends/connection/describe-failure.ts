/**
 * What the gateway says of a backend connection that could not start or that ended: the child's exit (code or
 * signal) or failure, the handshake's timeout or error, and the last lines the backend wrote on stderr.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import { plainMessage } from '../../errors/protocol-error.js';
import { isSdkTimeout } from '../../errors/to-wire.js';
import { formatCommandLine, type BackendSpec } from '../backend-spec.js';
import type { ChildTransport } from '../process/child-transport.js';

/** What precedes a backend's last stderr lines in the messages that quote them. */
export const STDERR_TAIL = '; last stderr lines:';

/** Why a start failed: the child ended before the handshake completed, or the handshake timed out or failed. */
export function describeStartFailure(
  spec: BackendSpec,
  child: ChildTransport | undefined,
  handshakeTimeoutMs: number,
  error: unknown,
): GatewayError {
  const where = { backend: spec.name, cause: error };
  const command = `(command: ${formatCommandLine(spec)})`;
  if (child?.exit || child?.failure) {
    return new GatewayError(
      'handshake_failed',
      `backend "${spec.name}" ${describeCause(child)} before completing the MCP handshake ${command}${stderrSuffix(child)}`,
      where,
    );
  }
  const reason = isSdkTimeout(error)
    ? `did not complete the MCP handshake within ${handshakeTimeoutMs} ms`
    : `failed during the MCP handshake: ${plainMessage(error)}`;
  return new GatewayError(
    'handshake_failed',
    `backend "${spec.name}" ${reason} ${command}${stderrSuffix(child)}`,
    where,
  );
}

/** How the connection ended: `exited with code 1`, `was killed by SIGKILL`, `closed its connection`... */
export function describeCause(child: ChildTransport | undefined): string {
  const failure = child?.failure;
  if (failure) return `was stopped: ${failure.message}`;
  if (!child) return 'closed its connection';
  const exit = child.exit;
  if (!exit) return 'closed its connection';
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? 'unknown'}`;
}

/** The backend's last ten stderr lines, quoted; empty without any. */
export function stderrSuffix(child: ChildTransport | undefined): string {
  const last = child?.recentStderr().slice(-10) ?? [];
  return last.length > 0 ? `${STDERR_TAIL}\n${last.map((line) => `  ${line}`).join('\n')}` : '';
}
