/**
 * What watches a gateway, as the command line and the config file ask: the audit log and the limits, subscribed to
 * the gateway's observation seam. Nothing is subscribed that is not configured, so that a gateway without them pays
 * nothing on its call path.
 */
import path from 'node:path';

import type { Logger } from '../logger.js';
import type { GatewayObservation } from '../shared/observation.js';
import {
  DEFAULT_AUDIT_MAX_FILES,
  DEFAULT_AUDIT_MAX_SIZE,
  sizeInBytes,
  type AuditConfig,
} from './audit-config.js';
import { AuditLog } from './audit-log.js';
import type { LimitsConfig } from './limits-config.js';
import { Limits, type SessionRefusal, type SessionTicket } from './limits.js';

/** The audit log as configured, its file resolved. */
export type AuditSettings = Omit<AuditConfig, 'file'> & { readonly file: string };

/** What {@link auditSettings} reads of a loaded config. */
interface ConfigWithAudit {
  readonly audit?: AuditConfig | undefined;
  readonly baseDir: string;
}

/**
 * The audit log asked for: `--audit-log` (resolved against the working directory) wins over the config's
 * `audit.file` (resolved against the config file's folder); the other `audit` keys apply either way. Undefined
 * when neither names a file (an `audit` section without a file is reported).
 */
export function auditSettings(
  config: ConfigWithAudit | undefined,
  fromFlag: string | undefined,
  logger: Logger,
): AuditSettings | undefined {
  const section = config?.audit;
  const file =
    fromFlag !== undefined
      ? path.resolve(fromFlag)
      : section?.file !== undefined && config
        ? path.resolve(config.baseDir, section.file)
        : undefined;
  if (file === undefined) {
    if (section) logger.warn('the config has an "audit" section but no file: set audit.file or --audit-log');
    return undefined;
  }
  return { ...section, file };
}

/** Options of {@link startObservers}. */
export interface ObserverOptions {
  /** No audit log when undefined. */
  readonly audit: AuditSettings | undefined;
  readonly limits: LimitsConfig | undefined;
  readonly logger: Logger;
}

/** The running watchers. */
export interface Observers {
  /** Present when a limit is configured. */
  readonly limits: Limits | undefined;
  readonly audit: AuditLog | undefined;
  /** Per-principal session limits, for the HTTP front door; undefined when none is set. */
  readonly admitSession: ((principal: string) => SessionTicket | SessionRefusal) | undefined;
  /** Unsubscribes everything and closes the audit log (what was handed to it is written first). */
  close(): Promise<void>;
}

/** Subscribes the configured watchers to `observation`; resolves once the audit log is open (or reported). */
export async function startObservers(
  observation: GatewayObservation,
  options: ObserverOptions,
): Promise<Observers> {
  const { logger } = options;
  const stops: (() => void)[] = [];
  let audit: AuditLog | undefined;
  if (options.audit) {
    const { file, required = false } = options.audit;
    const maxSize = options.audit.maxSize ?? DEFAULT_AUDIT_MAX_SIZE;
    audit = await AuditLog.open({
      file,
      arguments: options.audit.arguments === true,
      required,
      maxBytes: sizeInBytes(maxSize),
      maxFiles: options.audit.maxFiles ?? DEFAULT_AUDIT_MAX_FILES,
      logger,
    });
    stops.push(observation.onCall(audit.onCall), observation.onChange(audit.onChange));
    if (required) stops.push(observation.addGate(audit.gate));
    logger.info(`writing the audit log to ${file}`, {
      arguments: options.audit.arguments === true ? 'redacted' : 'left out',
      required,
    });
  }
  const limits = options.limits ? new Limits(options.limits) : undefined;
  if (limits?.limitsCalls) {
    stops.push(observation.addGate(limits), observation.onSession(limits.onSession));
  }
  const sessionLimits = limits?.limitsSessions ? limits : undefined;
  return {
    limits,
    audit,
    admitSession: sessionLimits && ((principal) => sessionLimits.admitSession(principal)),
    close: async () => {
      for (const stop of stops.splice(0)) stop();
      await audit?.close();
    },
  };
}
