/**
 * The records {@link Pins} hands to whoever listens (an audit log, a dashboard): plain, JSON-ready objects that say
 * what happened to which item of which server, and when. Nothing in them is secret: definitions are what backends
 * show every client.
 */
import type { PinningMode } from '../shared/pinning-mode.js';
import { changedFields, type PinKind } from './pin-kinds.js';
import type { PinEntry, PendingDefinition } from './pin-state.js';

/** An item seen for the first time, and pinned as it was (trust on first use). */
export interface PinFirstSight {
  readonly server: string;
  readonly kind: PinKind;
  readonly name: string;
  readonly hash: string;
  /** ISO 8601. */
  readonly pinnedAt: string;
}

/** An item presented with a definition other than its pin, waiting for approval. */
export interface PinChange {
  readonly server: string;
  readonly kind: PinKind;
  readonly name: string;
  /** The fields that differ from the pinned definition (see `PIN_FIELDS`), in their order there. */
  readonly changedFields: readonly string[];
  /** When a gateway first saw this definition (ISO 8601). */
  readonly firstSeen: string;
  /** When the definition in force was pinned, or last approved (ISO 8601). */
  readonly pinnedAt: string;
  readonly pinnedHash: string;
  readonly presentedHash: string;
  /** The server's pinning mode now. */
  readonly mode: PinningMode;
  /** Whether clients are kept from the item now (mode `enforce`, and this process was presented with it). */
  readonly withheld: boolean;
}

/** A pending definition that became the pin. */
export interface PinApproval {
  readonly server: string;
  readonly kind: PinKind;
  readonly name: string;
  readonly previousHash: string;
  readonly approvedHash: string;
  /** ISO 8601. */
  readonly approvedAt: string;
  /**
   * `gateway`: through this process (`Pins.approve`, e.g. from a dashboard); `state-file`: another process approved it
   * in the state file (`mcp-gateway pins approve`), and this one read it back.
   */
  readonly via: 'gateway' | 'state-file';
  /** Who approved it through this process (a dashboard user's principal), when known. */
  readonly by?: string;
}

/** Statuses may have changed (an approval, a mode, the file read back): items of these kinds must be checked again. */
export interface PinUpdate {
  readonly kinds: ReadonlySet<PinKind>;
}

/** The events of {@link Pins}, for `on`/`off`. */
export interface PinEvents {
  /** An item was pinned on first sight. */
  pinned: [PinFirstSight];
  /** A changed definition was seen: once per item and definition (and again when it becomes withheld). */
  changed: [PinChange];
  /** A change was approved, here or by another process. */
  approved: [PinApproval];
  /** What is withheld may have changed: a gateway checks its lists again and tells its clients. */
  updated: [PinUpdate];
}

/** The change record of an entry with a pending definition. */
export function changeOf(
  server: string,
  kind: PinKind,
  name: string,
  entry: PinEntry & { pending: PendingDefinition },
  mode: PinningMode,
  withheld: boolean,
): PinChange {
  return {
    server,
    kind,
    name,
    changedFields: changedFields(kind, entry.definition, entry.pending.definition),
    firstSeen: entry.pending.seenAt,
    pinnedAt: entry.approvedAt ?? entry.pinnedAt,
    pinnedHash: entry.hash,
    presentedHash: entry.pending.hash,
    mode,
    withheld,
  };
}
