/**
 * Reloading the config file of a running gateway: read and validate it again, then apply the difference (servers,
 * pipelines, `expose`, `registration`, `pinning`). An edit that does not validate is reported and the config in force stays.
 * Reloads never overlap: one asked for while another runs happens once after it, reading the file as it is then.
 */
import { isDeepStrictEqual } from 'node:util';

import type { BackendRegistry } from '../backends/backend-registry.js';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { plainMessage } from '../errors/protocol-error.js';
import type { ExposeMode } from '../gateway/expose-mode.js';
import type { Logger } from '../logger.js';
import type { PipelineCatalog } from '../pipelines/pipeline-catalog.js';
import type { ConfigStatus } from '../shared/config-status.js';
import { pinningModesOf, type PinningModes } from '../shared/pinning-mode.js';
import type { ChangeReport } from '../shared/observation.js';
import { applyServerChanges, diffServers, type ServerChanges } from './apply-servers.js';

/** What a reload changes. */
export interface ReloadTargets {
  readonly registry: BackendRegistry;
  readonly pipelines: PipelineCatalog;
  /** Applies the config's `expose` (the command line's `--expose`, when given, wins and this does nothing). */
  readonly applyExpose: (mode: ExposeMode | undefined) => void;
  /** Applies the config's `registration` section. */
  readonly applyRegistration: (config: LoadedConfig) => void;
  /** Applies the pinning modes (the top-level `pinning` and each server's own). */
  readonly applyPinning?: ((modes: PinningModes) => void) | undefined;
  /** Puts the config's `access` rules in force, for open sessions too. */
  readonly applyAccess?: ((access: LoadedConfig['access']) => void) | undefined;
  /**
   * Told of each reload that applied changes (once applied) or was refused (a config that does not validate), as
   * a `reload` change of the gateway (the audit log's `reload` lines); a reload that changed nothing is no change.
   */
  readonly reported?: ((change: ChangeReport) => Promise<void>) | undefined;
  readonly logger: Logger;
}

/** What a reload did, for its {@link ChangeReport}: server names and the other sections changed, never a value. */
interface ReloadOutcome {
  readonly outcome: 'ok' | 'error';
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly restarted: readonly string[];
  /** The sections other than servers that changed: `pipelines`, `expose`, `registration`, `access`. */
  readonly changed: readonly string[];
}

/** The config in force, and how to reload it. */
export class ConfigReloader {
  private current: LoadedConfig;
  private loadedAt = new Date();
  private reloads = 0;
  private failure: { readonly message: string; readonly at: Date } | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    initial: LoadedConfig,
    private readonly targets: ReloadTargets,
  ) {
    this.current = initial;
  }

  /** The config in force. */
  get config(): LoadedConfig {
    return this.current;
  }

  /** For `list_servers`; whether edits are watched is for whoever watches to say. */
  status(): Omit<ConfigStatus, 'watching'> {
    return {
      file: this.current.file,
      loadedAt: this.loadedAt.toISOString(),
      reloads: this.reloads,
      lastError: this.failure?.message ?? null,
      lastErrorAt: this.failure?.at.toISOString() ?? null,
    };
  }

  /**
   * Reads the file and applies what changed; resolves once applied (or refused). `reason` is for the log ("the file
   * changed", "SIGHUP"). Never rejects: a config that does not validate is logged and kept out.
   */
  reload(reason: string): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.reloadOnce(reason);
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async reloadOnce(reason: string): Promise<void> {
    const { logger } = this.targets;
    const started = { perf: performance.now(), epoch: Date.now() };
    let next: LoadedConfig;
    try {
      next = await loadConfig(this.current.file);
    } catch (error) {
      this.failure = { message: plainMessage(error), at: new Date() };
      logger.error(`config not reloaded (${reason}); the config in force stays: ${plainMessage(error)}`);
      await this.report(reason, started, {
        outcome: 'error',
        added: [],
        removed: [],
        restarted: [],
        changed: [],
      });
      return;
    }
    for (const warning of next.warnings) logger.warn(`${next.file}: ${warning}`);
    const previous = this.current;
    const changes = diffServers(previous.servers, next.servers);
    const pipelinesChanged = !isDeepStrictEqual(previous.pipelines, next.pipelines);
    const exposeChanged = previous.expose !== next.expose;
    const registrationChanged = !isDeepStrictEqual(previous.registration, next.registration);
    const pinningChanged = !isDeepStrictEqual(pinningModesOf(previous), pinningModesOf(next));
    const accessChanged = !isDeepStrictEqual(previous.access, next.access);
    this.failure = undefined;
    for (const key of ['auth', 'audit', 'limits'] as const) {
      if (!isDeepStrictEqual(previous[key], next[key])) {
        logger.warn(
          `config reloaded (${reason}): the changed "${key}" takes effect when the gateway restarts`,
        );
      }
    }
    if (
      !hasServerChanges(changes) &&
      !pipelinesChanged &&
      !exposeChanged &&
      !registrationChanged &&
      !pinningChanged &&
      !accessChanged
    ) {
      logger.info(`config reloaded (${reason}): nothing changed`);
      return;
    }
    this.current = next;
    this.loadedAt = new Date();
    this.reloads += 1;
    if (registrationChanged) this.targets.applyRegistration(next);
    if (pipelinesChanged) this.targets.pipelines.replace(next.pipelines);
    if (exposeChanged) this.targets.applyExpose(next.expose);
    // Before the servers: a server added with its own mode is checked under it from its first tool list.
    if (pinningChanged) this.targets.applyPinning?.(pinningModesOf(next));
    // Before the servers too: the tools of a server added are shown under the new rules from the first list.
    if (accessChanged) this.targets.applyAccess?.(next.access);
    const described = describeChanges(changes, pipelinesChanged, exposeChanged);
    const also = `${pinningChanged ? '; pinning changed' : ''}${accessChanged ? '; access rules changed' : ''}`;
    logger.info(`config reloaded (${reason}): ${described}${also}`);
    await applyServerChanges(this.targets.registry, changes, next.servers, { baseDir: next.baseDir, logger });
    const sections = {
      pipelines: pipelinesChanged,
      expose: exposeChanged,
      registration: registrationChanged,
      access: accessChanged,
    };
    await this.report(reason, started, {
      outcome: 'ok',
      added: changes.added,
      removed: changes.removed,
      restarted: changes.changed,
      changed: Object.keys(sections).filter((key) => sections[key as keyof typeof sections]),
    });
  }

  /** Tells whoever listens; a listener's failure is logged, the reload stands. */
  private async report(
    reason: string,
    started: { readonly perf: number; readonly epoch: number },
    { outcome, ...detail }: ReloadOutcome,
  ): Promise<void> {
    const { reported } = this.targets;
    if (!reported) return;
    try {
      await reported({
        action: 'reload',
        startedAt: started.epoch,
        durationMs: performance.now() - started.perf,
        server: undefined,
        outcome,
        errorCode: undefined,
        detail: { reason, ...detail },
      });
    } catch (error) {
      this.targets.logger.error(`the reload could not be recorded: ${plainMessage(error)}`);
    }
  }
}

function hasServerChanges(changes: ServerChanges): boolean {
  return changes.added.length + changes.removed.length + changes.changed.length > 0;
}

/** `servers added: a; removed: b; changed: c; 3 unchanged; pipelines changed`. */
function describeChanges(changes: ServerChanges, pipelines: boolean, expose: boolean): string {
  const parts = [
    ...(changes.added.length > 0 ? [`added ${changes.added.join(', ')}`] : []),
    ...(changes.removed.length > 0 ? [`removed ${changes.removed.join(', ')}`] : []),
    ...(changes.changed.length > 0 ? [`restarting ${changes.changed.join(', ')}`] : []),
    `${changes.unchanged.length} server(s) unchanged`,
    ...(pipelines ? ['pipelines changed'] : []),
    ...(expose ? ['expose changed'] : []),
  ];
  return parts.join('; ');
}
