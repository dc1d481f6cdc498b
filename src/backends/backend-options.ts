/**
 * What a registry gives each of its backends: the timings and limits they share (and their defaults), and the
 * events by which a backend tells the registry what happened.
 */
import type { UpwardHandler } from '../shared/backend.js';
import type { Logger } from '../logger.js';
import type { BackendSpec } from './backend-spec.js';
import type { ConnectionOptions } from './connection/connection.js';
import { DEFAULT_CHILD_TRANSPORT_OPTIONS } from './process/child-transport.js';

/** Timing and limits shared by all backends of a registry. */
export interface BackendOptions extends Omit<ConnectionOptions, 'logger' | 'maxMessageBytes'> {
  /** Largest message accepted from a backend whose config sets no `maxMessageBytes`. */
  readonly maxMessageBytes: number;
  /** Per-call timeout when the backend's config sets none. */
  readonly defaultTimeoutMs: number;
  /** A call that keeps reporting progress is still cut off after this long. */
  readonly maxCallMs: number;
}

/**
 * Defaults: 10 s per call, 10 minutes for a call that keeps reporting progress, 30 s for the first handshake (a
 * server started with `npx -y` may download itself first).
 */
export const DEFAULT_BACKEND_OPTIONS: BackendOptions = {
  ...DEFAULT_CHILD_TRANSPORT_OPTIONS,
  defaultTimeoutMs: 10_000,
  maxCallMs: 600_000,
  handshakeTimeoutMs: 30_000,
};

/** What a backend tells its owner. */
export interface BackendEvents extends UpwardHandler {
  /** The state or the tool list changed. */
  changed(): void;
}

/** The options of one backend's connection: the registry's, with what the backend's own config sets instead. */
export function connectionOptions(
  spec: Pick<BackendSpec, 'maxMessageBytes' | 'startupTimeoutMs'>,
  options: BackendOptions,
  logger: Logger,
): ConnectionOptions {
  return {
    ...options,
    maxMessageBytes: spec.maxMessageBytes ?? options.maxMessageBytes,
    handshakeTimeoutMs: spec.startupTimeoutMs ?? options.handshakeTimeoutMs,
    logger,
  };
}
