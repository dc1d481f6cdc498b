/**
 * The changes made to a pin state, each a function of the state alone (plus what it was built with), so that it can
 * be applied again to a newer copy of the file: the gateway and `mcp-gateway pins approve` both write the file, and
 * each re-reads it before applying its change (see pin-file.ts).
 */
import type { Fingerprint, PinKind } from './pin-kinds.js';
import { entryOf, putOwn, SECTIONS, type PinEntry, type PinState } from './pin-state.js';

/** A change of the state; applying it twice does what applying it once does. */
export type PinMutation = (state: PinState) => void;

/** An item selected for approval or a diff. */
export interface SelectedPin {
  readonly server: string;
  readonly kind: PinKind;
  readonly name: string;
  readonly entry: PinEntry;
}

/** Pins an item seen for the first time (trust on first use); an item pinned meanwhile is left as it is. */
export function pinFirstSight(server: string, kind: PinKind, item: Fingerprint, now: string): PinMutation {
  return (state) => {
    if (entryOf(state, server, kind, item.name)) return;
    const section = sectionOf(state, server, kind);
    putOwn(section, item.name, { hash: item.hash, definition: item.definition, pinnedAt: now });
  };
}

/**
 * Records the changed definition an item was presented with, for review and approval. The time it was first seen
 * is kept while the same definition is presented again; a definition matching the pin records nothing.
 */
export function recordPending(server: string, kind: PinKind, item: Fingerprint, now: string): PinMutation {
  return (state) => {
    const entry = entryOf(state, server, kind, item.name);
    if (!entry || entry.hash === item.hash || entry.pending?.hash === item.hash) return;
    entry.pending = { hash: item.hash, definition: item.definition, seenAt: now };
  };
}

/** Forgets a pending change once the item is presented as pinned again (the backend went back). */
export function clearPending(
  server: string,
  kind: PinKind,
  name: string,
  presentedHash: string,
): PinMutation {
  return (state) => {
    const entry = entryOf(state, server, kind, name);
    if (entry?.pending && entry.hash === presentedHash) delete entry.pending;
  };
}

/**
 * Approves the pending definition whose hash is `pendingHash`: it becomes the pin. Nothing happens when the pending
 * definition is another one by then (the backend changed again: that one has not been reviewed).
 */
export function approvePending(
  server: string,
  kind: PinKind,
  name: string,
  pendingHash: string,
  now: string,
): PinMutation {
  return (state) => {
    const entry = entryOf(state, server, kind, name);
    if (!entry?.pending || entry.pending.hash !== pendingHash) return;
    entry.hash = entry.pending.hash;
    entry.definition = entry.pending.definition;
    entry.approvedAt = now;
    delete entry.pending;
  };
}

/**
 * The items of `server` (all of them, or those named `name`, of `kind` when given) with a pending change, in file
 * order. An item name may be shared by items of several kinds (a tool and a prompt): each of them is selected.
 */
export function selectPending(state: PinState, server: string, name?: string, kind?: PinKind): SelectedPin[] {
  return selectPins(state, server, name, kind).filter((pin) => pin.entry.pending !== undefined);
}

/** Like {@link selectPending}, pending or not. */
export function selectPins(state: PinState, server: string, name?: string, kind?: PinKind): SelectedPin[] {
  const pins = Object.hasOwn(state.servers, server) ? state.servers[server] : undefined;
  if (!pins) return [];
  const selected: SelectedPin[] = [];
  for (const [pinKind, section] of Object.entries(SECTIONS) as [PinKind, string][]) {
    if (kind !== undefined && pinKind !== kind) continue;
    for (const [itemName, entry] of Object.entries(pins[section as keyof typeof pins] ?? {})) {
      if (name === undefined || itemName === name)
        selected.push({ server, kind: pinKind, name: itemName, entry });
    }
  }
  return selected;
}

function sectionOf(state: PinState, server: string, kind: PinKind): Record<string, PinEntry> {
  if (!Object.hasOwn(state.servers, server)) putOwn(state.servers, server, {});
  const pins = state.servers[server] ?? {};
  const key = SECTIONS[kind];
  pins[key] ??= {};
  return pins[key];
}
