import type { RestartPolicyConfig } from './server-config.js';

/** When a crashed backend is started again: exponential backoff, a bounded number of times in a row. */
export interface RestartPolicy {
  /** Restarts in a row before the backend stays `failed`; 0 means never restart. */
  readonly maxAttempts: number;
  /** Delay before the first restart of a series. */
  readonly initialDelayMs: number;
  /** Ceiling of the doubling delay. */
  readonly maxDelayMs: number;
  /** A backend that ran this long since its last start begins a new series when it crashes. */
  readonly resetAfterMs: number;
}

/** 0.5 s doubling up to 30 s, at most 5 restarts in a row, the count reset after a minute of stable running. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  maxAttempts: 5,
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  resetAfterMs: 60_000,
};

/** The policy a config entry asks for: the defaults, overridden field by field; `false` turns restarting off. */
export function resolveRestartPolicy(
  config: false | RestartPolicyConfig | undefined,
  defaults: RestartPolicy = DEFAULT_RESTART_POLICY,
): RestartPolicy {
  if (config === false) return { ...defaults, maxAttempts: 0 };
  return { ...defaults, ...stripUndefined(config ?? {}) };
}

/** The delay before restart number `attempt` (1-based) of a series. */
export function restartDelayMs(policy: RestartPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
}

function stripUndefined(config: RestartPolicyConfig): Partial<RestartPolicy> {
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined));
}
