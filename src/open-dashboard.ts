/**
 * Part of the composition root: builds the dashboard's sources from the parts it shows (the backend registry, the
 * pins, the observation seam) and the dashboard itself. What reaches the page is cut down here: a backend's program
 * name instead of its command line (arguments may hold secrets), a remote backend's origin only, and the command
 * line taken out of error messages. The dashboard's actions go through the same registry and pins calls as the
 * gateway tools, and each is reported as a change of the dashboard user's principal, so the audit log records it.
 */
import path from 'node:path';

import type { ManagedBackend } from './backends/managed-backend.js';
import { createDashboard, type Dashboard, type DashboardOptions } from './dashboard/create-dashboard.js';
import type { BackendView, DashboardSources } from './dashboard/dashboard-sources.js';
import { GatewayError } from './errors/gateway-error.js';
import { toForwardedError } from './errors/to-wire.js';
import { PIN_KINDS, type PinKind } from './pins/pin-kinds.js';
import type { Pins } from './pins/pins.js';
import type { ChangeAction, GatewayObservation } from './shared/observation.js';
import type { MountedHandler } from './transports/http/serve-http.js';

/**
 * The backends the dashboard shows and acts on: the registry, or the directory a cluster wraps it in (which hides
 * registrations the cluster has not taken yet). Restart, enable and disable act on this replica's copy only.
 */
export interface DashboardBackends {
  get(name: string): ManagedBackend | undefined;
  list(): ManagedBackend[];
  restart(name: string): Promise<unknown>;
  enable(name: string): Promise<unknown>;
  disable(name: string): Promise<unknown>;
  on(event: 'changed', listener: () => void): unknown;
  off(event: 'changed', listener: () => void): unknown;
}

/** What {@link openDashboard} needs beyond the parts it shows. */
export type OpenDashboardOptions = Omit<DashboardOptions, 'sources'>;

/** The dashboard of a running gateway as the HTTP listener mounts it: no handler when it is turned off. */
export function openDashboard(
  enabled: boolean,
  parts: { registry: DashboardBackends; pins: Pins; observation: GatewayObservation },
  options: OpenDashboardOptions,
): { readonly mounts: MountedHandler[]; close(): void } {
  if (!enabled) return { mounts: [], close: () => undefined };
  const dashboard: Dashboard = createDashboard({ ...options, sources: dashboardSources(parts) });
  return { mounts: [dashboard.handle], close: () => dashboard.close() };
}

/** The sources of a dashboard over a registry, pins and an observation seam. */
export function dashboardSources(parts: {
  registry: DashboardBackends;
  pins: Pins;
  observation: GatewayObservation;
}): DashboardSources {
  const { registry, pins, observation } = parts;
  const report = async (
    action: ChangeAction,
    server: string,
    principal: string,
    run: () => Promise<unknown>,
  ) => {
    const startedAt = Date.now();
    const started = performance.now();
    const change = { action, startedAt, server, principal, detail: { via: 'dashboard' } };
    try {
      await run();
    } catch (error) {
      const durationMs = performance.now() - started;
      await observation.reportChange({
        ...change,
        durationMs,
        outcome: 'error',
        errorCode: toForwardedError(error).code,
      });
      throw new Error(withoutCommandLine((error as Error).message, registry.get(server)), { cause: error });
    }
    await observation.reportChange({
      ...change,
      durationMs: performance.now() - started,
      outcome: 'ok',
      errorCode: undefined,
    });
  };
  return {
    observation,
    backends: () => registry.list().map(viewOf),
    pendingPins: () =>
      pins.pending().map(({ server, kind, name, changedFields, mode, withheld, firstSeen }) => ({
        server,
        kind,
        name,
        changedFields,
        mode,
        withheld,
        firstSeen,
      })),
    onBackendsChanged: (listener) => {
      registry.on('changed', listener);
      return () => registry.off('changed', listener);
    },
    onPinsChanged: (listener) => {
      pins.on('changed', listener);
      pins.on('updated', listener);
      return () => {
        pins.off('changed', listener);
        pins.off('updated', listener);
      };
    },
    actions: {
      restart: (server, principal) => report('restart', server, principal, () => registry.restart(server)),
      enable: (server, principal) => report('enable', server, principal, () => registry.enable(server)),
      disable: (server, principal) => report('disable', server, principal, () => registry.disable(server)),
      // Reported by the pins themselves (the `approved` event, with `by`): not a second time here.
      approve: async (server, principal, kind, name) => {
        if (kind !== undefined && !(PIN_KINDS as readonly string[]).includes(kind)) {
          throw new GatewayError(
            'invalid_input',
            `unknown kind "${kind}": use one of ${PIN_KINDS.join(', ')}`,
          );
        }
        const approvals = await pins.approve(server, name, kind as PinKind | undefined, principal);
        if (approvals.length === 0) {
          throw new GatewayError('invalid_input', `nothing of server "${server}" is waiting for approval`);
        }
      },
    },
  };
}

/** A backend as the page shows it. */
function viewOf(backend: ManagedBackend): BackendView {
  const info = backend.info();
  return {
    name: info.name,
    state: info.state,
    description: info.description,
    program: programOf(backend),
    pid: info.pid,
    uptimeMs: info.uptimeMs,
    restarts: info.restarts,
    calls: info.calls,
    errors: info.errors,
    nextRetryAt: info.nextRetryAt,
    lastError: info.lastError === null ? null : withoutCommandLine(info.lastError, backend),
    tools: info.tools,
    authorizationUrl: info.authorizationUrl,
    principals: info.principals,
  };
}

/** The program's file name, or a remote backend's origin. */
function programOf(backend: ManagedBackend): string {
  const { url, command } = backend.spec;
  if (url === undefined) return path.basename(command);
  try {
    return new URL(url).origin;
  } catch {
    return '(not a valid URL)';
  }
}

/** `text` with the backend's command line (as errors quote it) replaced by its program name. */
function withoutCommandLine(text: string, backend: ManagedBackend | undefined): string {
  if (!backend) return text;
  return text.split(backend.info().command).join(programOf(backend));
}
