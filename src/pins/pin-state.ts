/**
 * The pin state file's format (`pins.json`), its parsing and its text. One entry per item a backend presented,
 * keyed by the server's name (as the config names it), the kind's section and the item's name:
 *
 *     { "version": 1, "servers": { "weather": { "tools": { "get_alerts": {
 *         "hash": "sha256:…", "definition": { "name": "get_alerts", "description": "…", … },
 *         "pinnedAt": "2026-…", "approvedAt": "2026-…",
 *         "pending": { "hash": "sha256:…", "definition": { … }, "seenAt": "2026-…" } } } } } }
 *
 * `definition` is the pinned definition itself (nothing in it is secret), so that a diff can show what changed;
 * `pending` is the changed definition a running gateway was presented with, waiting for approval. Every hash is
 * checked against its definition when the file is read: a file edited by hand into disagreement is refused.
 */
import { z } from 'zod';

import { GatewayError } from '../errors/gateway-error.js';
import { findJsonErrorOffset } from '../shared/json-error-offset.js';
import { canonicalJson } from './canonical-json.js';
import { hashDefinition, PIN_KINDS, type Definition, type PinKind } from './pin-kinds.js';

/** The version this gateway writes and reads. */
export const PIN_STATE_VERSION = 1;

/** The file's section of each kind. */
export const SECTIONS: Readonly<Record<PinKind, 'tools' | 'prompts' | 'resourceTemplates'>> = {
  tool: 'tools',
  prompt: 'prompts',
  resourceTemplate: 'resourceTemplates',
};

const HashSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a hash is "sha256:" and 64 hex digits');
const DefinitionSchema = z.record(z.string(), z.unknown());

const PendingSchema = z.object({
  hash: HashSchema,
  definition: DefinitionSchema,
  /** When a gateway first saw this definition (ISO 8601). */
  seenAt: z.string(),
});

const PinEntrySchema = z.object({
  hash: HashSchema,
  definition: DefinitionSchema,
  /** When the item was first seen and pinned (ISO 8601). */
  pinnedAt: z.string(),
  /** When the definition in force was approved, if it replaced an earlier one (ISO 8601). */
  approvedAt: z.string().optional(),
  pending: PendingSchema.optional(),
});

const ServerPinsSchema = z.object({
  tools: z.record(z.string(), PinEntrySchema).optional(),
  prompts: z.record(z.string(), PinEntrySchema).optional(),
  resourceTemplates: z.record(z.string(), PinEntrySchema).optional(),
});

const PinStateSchema = z.object({
  version: z.literal(PIN_STATE_VERSION, { error: `version must be ${PIN_STATE_VERSION}` }),
  servers: z.record(z.string(), ServerPinsSchema),
});

/** A changed definition seen, waiting for approval. */
export interface PendingDefinition {
  hash: string;
  definition: Definition;
  seenAt: string;
}

/** One pinned item. */
export interface PinEntry {
  hash: string;
  definition: Definition;
  pinnedAt: string;
  approvedAt?: string | undefined;
  pending?: PendingDefinition | undefined;
}

/** The pins of one server, by section and item name. */
export type ServerPins = Partial<Record<(typeof SECTIONS)[PinKind], Record<string, PinEntry>>>;

/** The whole file. Mutable: the functions of pin-mutations.ts change it in place. */
export interface PinState {
  version: typeof PIN_STATE_VERSION;
  servers: Record<string, ServerPins>;
}

/** A state with nothing pinned: what a missing file means. */
export function emptyPinState(): PinState {
  return { version: PIN_STATE_VERSION, servers: {} };
}

/** The entry of one item, if pinned. */
export function entryOf(state: PinState, server: string, kind: PinKind, name: string): PinEntry | undefined {
  return Object.hasOwn(state.servers, server)
    ? ownValue(state.servers[server]?.[SECTIONS[kind]], name)
    : undefined;
}

/** Every entry of the state, in file order. */
export function* entriesOf(
  state: PinState,
): Generator<{ server: string; kind: PinKind; name: string; entry: PinEntry }> {
  for (const [server, pins] of Object.entries(state.servers)) {
    for (const kind of PIN_KINDS) {
      for (const [name, entry] of Object.entries(pins[SECTIONS[kind]] ?? {}))
        yield { server, kind, name, entry };
    }
  }
}

/** The kinds whose entries differ between two states (of any server). */
export function changedKinds(previous: PinState, next: PinState): Set<PinKind> {
  const sections = (state: PinState, kind: PinKind): string =>
    canonicalJson(Object.entries(state.servers).map(([server, pins]) => [server, pins[SECTIONS[kind]]]));
  return new Set(PIN_KINDS.filter((kind) => sections(previous, kind) !== sections(next, kind)));
}

/** The file's text: two-space JSON and a final newline, so that it reads well and diffs well in version control. */
export function serializePinState(state: PinState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

/**
 * Parses the file's text. A text that is not JSON, not of this format, or whose hashes disagree with their
 * definitions is a `GatewayError('invalid_state')` naming the file and the place, and saying what to do.
 */
export function parsePinState(text: string, file: string): PinState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalidState(file, `it is not valid JSON (${describeOffset(text)})`);
  }
  const parsed = PinStateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `at ${issue.path.join('.')}: ` : '';
    throw invalidState(file, `it is not a pin state (${where}${issue?.message ?? 'unknown shape'})`);
  }
  // The text's own objects, not zod's copy: zod builds records by assignment, which turns an item named
  // "__proto__" (a name a backend may choose) into a prototype instead of an entry.
  const state = json as PinState;
  for (const { server, kind, name, entry } of entriesOf(state)) {
    for (const [label, pinned] of [
      ['definition', entry],
      ['pending definition', entry.pending],
    ] as const) {
      if (pinned && hashDefinition(pinned.definition) !== pinned.hash) {
        const where = `servers.${server}.${SECTIONS[kind]}.${name}`;
        throw invalidState(file, `at ${where}: the hash of the ${label} does not match it (edited by hand?)`);
      }
    }
  }
  return state;
}

/** The error of a state file that cannot be used, with what to do about it. */
export function invalidState(file: string, problem: string): GatewayError {
  return new GatewayError(
    'invalid_state',
    `pin state file ${file}: ${problem}. The pins in it cannot be checked, and starting afresh would trust every ` +
      'definition again: restore the file from a backup or fix it, or remove it to pin every item anew on first ' +
      'sight.',
  );
}

function describeOffset(text: string): string {
  const offset = findJsonErrorOffset(text) ?? text.length;
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** Sets `record[key]` as an own property, even for the key "__proto__". */
export function putOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
