/**
 * What `mcp-gateway pins` does and prints, apart from its command line: list the pins of a state file, show the
 * diff of a changed definition, approve changes. Each returns its exit code; output goes through {@link PinsIo}.
 */
import { describeItem, formatPinDiff, shortHash } from '../../pins/pin-diff.js';
import { pinCommand } from '../../pins/pin-advice.js';
import type { PinFile } from '../../pins/pin-file.js';
import { changedFields, KIND_LABELS, type PinKind } from '../../pins/pin-kinds.js';
import { approvePending, selectPending, selectPins, type SelectedPin } from '../../pins/pin-mutations.js';
import { entriesOf, type PinState } from '../../pins/pin-state.js';

/** Exit code of a command that did what it was asked. */
export const EXIT_OK = 0;
/** Exit code when the state file cannot be read or written, or nothing pinned matches what was named. */
export const EXIT_FAILURE = 1;

/** Where the command writes: the report to stdout, problems to stderr. */
export interface PinsIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Which items a command is about: one server's, or one item of it (of one kind when given). */
export interface PinSelection {
  readonly server: string;
  readonly name?: string | undefined;
  readonly kind?: PinKind | undefined;
}

/** `pins list`: every pinned item, by server, with the changes waiting for approval marked. */
export async function listPins(file: PinFile, io: PinsIo): Promise<number> {
  const state = await file.read();
  const entries = [...entriesOf(state)];
  if (entries.length === 0) {
    io.stdout(`nothing pinned yet in ${file.path}\n`);
    return EXIT_OK;
  }
  let server: string | undefined;
  let pending = 0;
  const lines: string[] = [`pins in ${file.path}:`];
  for (const { server: owner, kind, name, entry } of entries) {
    if (owner !== server) {
      server = owner;
      lines.push('', owner);
    }
    const item = `${KIND_LABELS[kind]} "${name}"`;
    if (!entry.pending) {
      const when =
        entry.approvedAt === undefined ? `pinned ${entry.pinnedAt}` : `approved ${entry.approvedAt}`;
      lines.push(`  ${item}: ${when} (${shortHash(entry.hash)})`);
      continue;
    }
    pending += 1;
    const fields = changedFields(kind, entry.definition, entry.pending.definition).join(', ');
    lines.push(`  ${item}: CHANGED (${fields}), seen ${entry.pending.seenAt}; waiting for approval`);
  }
  lines.push(
    '',
    pending === 0 ? 'no change waiting for approval' : `${pending} change(s) waiting for approval`,
  );
  if (pending > 0) lines.push(`review: ${pinCommand('diff', file.dir, '<server>')}`);
  io.stdout(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

/** `pins diff <server> [name]`: the pinned definition against the presented one, field by field. */
export async function diffPins(file: PinFile, selection: PinSelection, io: PinsIo): Promise<number> {
  const state = await file.read();
  const pins = selectPins(state, selection.server, selection.name, selection.kind);
  if (pins.length === 0) return nothingPinned(file, state, selection, io);
  const shown = selection.name === undefined ? pins.filter((pin) => pin.entry.pending) : pins;
  if (shown.length === 0) {
    io.stdout(`server "${selection.server}": no change waiting for approval\n`);
    return EXIT_OK;
  }
  const blocks = shown.map((pin) => formatPinDiff(pin).join('\n'));
  const approvable = shown.filter((pin) => pin.entry.pending).length;
  const footer =
    approvable === 0
      ? ''
      : `\n\napprove: ${pinCommand('approve', file.dir, selection.server, selection.name, selection.kind)}`;
  io.stdout(`${blocks.join('\n\n')}${footer}\n`);
  return EXIT_OK;
}

/**
 * `pins approve <server> [name]`: each pending definition selected becomes the pin, written under the file's lock
 * (a running gateway reads it back and serves the item again).
 */
export async function approvePins(file: PinFile, selection: PinSelection, io: PinsIo): Promise<number> {
  const approvedAt = new Date().toISOString();
  let approved: SelectedPin[] = [];
  const state = await file.update((current) => {
    // Selected in the state read under the lock: what another process changed meanwhile counts.
    approved = selectPending(current, selection.server, selection.name, selection.kind);
    for (const pin of approved) {
      approvePending(pin.server, pin.kind, pin.name, pin.entry.pending?.hash ?? '', approvedAt)(current);
    }
  });
  if (approved.length === 0) {
    if (selectPins(state, selection.server, selection.name, selection.kind).length === 0) {
      return nothingPinned(file, state, selection, io);
    }
    io.stdout(`${describeSelection(selection)}: no change waiting for approval; nothing to do\n`);
    return EXIT_OK;
  }
  const lines = approved.map((pin) => {
    const entry = pin.entry;
    return `approved ${describeItem(pin)} (${shortHash(entry.hash)}): it is the pin now`;
  });
  io.stdout(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

function nothingPinned(file: PinFile, state: PinState, selection: PinSelection, io: PinsIo): number {
  const servers = Object.keys(state.servers);
  const known = servers.length === 0 ? 'none' : servers.map((name) => `"${name}"`).join(', ');
  io.stderr(
    `error: nothing pinned for ${describeSelection(selection)} in ${file.path} (servers pinned: ${known}); ` +
      'items are pinned when a gateway using this state folder first sees them\n',
  );
  return EXIT_FAILURE;
}

function describeSelection(selection: PinSelection): string {
  if (selection.name === undefined) return `server "${selection.server}"`;
  const label = selection.kind === undefined ? 'item' : KIND_LABELS[selection.kind];
  return `${label} "${selection.name}" of server "${selection.server}"`;
}
