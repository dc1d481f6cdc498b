/**
 * Tool-definition pinning, as a running gateway uses it: the seam between the catalog (which asks what to withhold)
 * and whoever watches or decides (a dashboard, an audit log).
 *
 * - The catalog calls {@link Pins.observe} with the items a backend presents, whenever it rebuilds its lists. An item
 *   never seen is pinned (trust on first use). One whose definition differs from its pin is logged once, recorded as
 *   pending in the state file (for `mcp-gateway pins diff`), and, when its server's mode is `enforce`, withheld.
 * - The call path asks {@link Pins.withheld}: a lookup in maps built by `observe`, never a hash or a file read.
 * - {@link Pins.approve} (a dashboard) or `mcp-gateway pins approve` (another process, read back from the watched
 *   file) makes a pending definition the pin.
 * - Listeners hear `pinned`, `changed` and `approved` with plain records (see pin-events.ts) that an audit log can
 *   write as they are, and `updated` when what is withheld may have changed: the gateway then rebuilds its lists
 *   and tells its clients.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';

import { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../logger.js';
import { canonicalJson } from './canonical-json.js';
import { DEFAULT_PINNING_MODE, type PinningMode, type PinningModes } from '../shared/pinning-mode.js';

export type { PinningModes } from '../shared/pinning-mode.js';
import { describeChangeForLog, withheldError } from './pin-advice.js';
import { describeItem } from './pin-diff.js';
import {
  changeOf,
  type PinApproval,
  type PinChange,
  type PinEvents,
  type PinFirstSight,
} from './pin-events.js';
import { PinFile, PINS_FILE_NAME } from './pin-file.js';
import { fingerprint, KIND_LABELS, PIN_KINDS, type PinKind } from './pin-kinds.js';
import {
  approvePending,
  clearPending,
  pinFirstSight,
  recordPending,
  selectPending,
} from './pin-mutations.js';
import { changedKinds, entriesOf, entryOf, type PinState } from './pin-state.js';
import { PinStore } from './pin-store.js';
import { WithheldIndex } from './withheld-index.js';

/** Options of {@link Pins.open}. */
export interface PinsOptions {
  /** The state folder (`pins.json` is in it); named in the commands the gateway prints. */
  readonly stateDir: string;
  readonly logger: Logger;
  /** Default: `warn` for every server. */
  readonly modes?: PinningModes | undefined;
  /** False: pins in memory only, no file read or written (no config file nor `--state-dir`; tests). Default true. */
  readonly persist?: boolean | undefined;
}

const NONE: ReadonlySet<string> = new Set();

/** The pins of a running gateway. See the file's comment for the seam. */
export class Pins extends EventEmitter<PinEvents> {
  private modes: PinningModes;
  /** The withheld items: what the call path looks up. */
  private readonly withheldIndex = new WithheldIndex();
  /** Per item, the definition (and whether withheld) last reported, so that each change is logged once. */
  private readonly reported = new Map<string, string>();
  private store!: PinStore;

  private constructor(
    /** The state folder. */
    readonly stateDir: string,
    /** Whether the pins are kept in the state file (else in memory only, for the life of the process). */
    readonly persistent: boolean,
    private readonly logger: Logger,
    modes: PinningModes | undefined,
  ) {
    super();
    this.modes = modes ?? { default: DEFAULT_PINNING_MODE };
  }

  /**
   * Reads the state file and watches it.
   *
   * @throws GatewayError `invalid_state` when the file exists but cannot be read or used (it says what to do).
   */
  static async open(options: PinsOptions): Promise<Pins> {
    const pins = new Pins(options.stateDir, options.persist !== false, options.logger, options.modes);
    const file = options.persist === false ? undefined : new PinFile(options.stateDir);
    pins.store = await PinStore.open(file, options.logger, (previous, next) => pins.synced(previous, next));
    return pins;
  }

  /** The state file's path. */
  get file(): string {
    return path.join(this.stateDir, PINS_FILE_NAME);
  }

  /** The state folder the commands in messages name; undefined when the pins are in memory only. */
  get adviceDir(): string | undefined {
    return this.persistent ? this.stateDir : undefined;
  }

  /** Changes the modes (a config reload); `updated` follows, so that the lists are checked under the new ones. */
  setModes(modes: PinningModes): void {
    if (canonicalJson(modes) === canonicalJson(this.modes)) return;
    this.modes = modes;
    this.revalidate();
    this.emit('updated', { kinds: new Set(PIN_KINDS) });
  }

  /** The mode of `server`. */
  modeOf(server: string): PinningMode {
    const own = this.modes.servers;
    return (own && Object.hasOwn(own, server) ? own[server] : undefined) ?? this.modes.default;
  }

  /**
   * Checks the items `server` presents now (all of one kind: its tools, or its prompts, or its resource templates):
   * pins the new ones, records and reports the changed ones, and returns the names of those to withhold (mode
   * `enforce`). Items of that server and kind not presented keep their pins; they are checked when they come back.
   */
  observe(server: string, kind: PinKind, items: readonly object[]): ReadonlySet<string> {
    const mode = this.modeOf(server);
    if (mode === 'off') {
      this.withheldIndex.set(server, kind, new Map());
      return NONE;
    }
    const now = new Date().toISOString();
    const withheld = new Map<string, PinChange>();
    const pinned: PinFirstSight[] = [];
    for (const item of items) {
      const presented = fingerprint(kind, item);
      const key = `${server}\u0000${kind}\u0000${presented.name}`;
      const entry = entryOf(this.store.current, server, kind, presented.name);
      if (!entry) {
        this.store.apply(pinFirstSight(server, kind, presented, now));
        pinned.push({ server, kind, name: presented.name, hash: presented.hash, pinnedAt: now });
        continue;
      }
      if (entry.hash === presented.hash) {
        if (entry.pending) this.store.apply(clearPending(server, kind, presented.name, presented.hash));
        this.reported.delete(key);
        continue;
      }
      if (entry.pending?.hash !== presented.hash)
        this.store.apply(recordPending(server, kind, presented, now));
      const recorded = entryOf(this.store.current, server, kind, presented.name);
      if (!recorded?.pending) continue;
      const change = changeOf(
        server,
        kind,
        presented.name,
        { ...recorded, pending: recorded.pending },
        mode,
        mode === 'enforce',
      );
      if (change.withheld) withheld.set(presented.name, change);
      this.report(key, change);
    }
    this.withheldIndex.set(server, kind, withheld);
    this.reportFirstSight(server, kind, pinned);
    return withheld.size > 0 ? new Set(withheld.keys()) : NONE;
  }

  /** The change that withholds this item, if it is withheld: a lookup, cheap enough for every call. */
  withheld(server: string, kind: PinKind, name: string): PinChange | undefined {
    return this.withheldIndex.get(server, kind, name);
  }

  /** The error a call to (or a `prompts/get` of) a withheld item gets: the change, and how to approve it. */
  refusal(change: PinChange): GatewayError {
    return withheldError(change, this.adviceDir);
  }

  /** The pending changes of `server`: what `list_servers` shows. */
  changesOf(server: string): PinChange[] {
    return this.pending().filter((change) => change.server === server);
  }

  /** Every pending change in the state, of every server (registered now or not), in file order. */
  pending(): PinChange[] {
    const changes: PinChange[] = [];
    for (const { server, kind, name, entry } of entriesOf(this.store.current)) {
      if (!entry.pending) continue;
      const withheld = this.withheld(server, kind, name) !== undefined;
      changes.push(
        changeOf(server, kind, name, { ...entry, pending: entry.pending }, this.modeOf(server), withheld),
      );
    }
    return changes;
  }

  /**
   * Approves the pending changes of `server`: all of them, or those of the items named `name` (of `kind` when
   * given). Each pending definition becomes the pin; the items withheld for it are released (`updated` follows).
   * Resolves with the approvals (none when nothing was pending; `by` says who, when given) once the file holds them.
   *
   * @throws GatewayError `invalid_state` when the file cannot be written: the approvals hold in this process
   *   meanwhile, and are written with the next change.
   */
  async approve(server: string, name?: string, kind?: PinKind, by?: string): Promise<PinApproval[]> {
    const approvedAt = new Date().toISOString();
    const approvals = selectPending(this.store.current, server, name, kind).map((pin) => {
      const pending = pin.entry.pending?.hash ?? '';
      const approval: PinApproval = {
        server,
        kind: pin.kind,
        name: pin.name,
        previousHash: pin.entry.hash,
        approvedHash: pending,
        approvedAt,
        via: 'gateway',
        ...(by === undefined ? {} : { by }),
      };
      this.store.apply(approvePending(server, pin.kind, pin.name, pending, approvedAt));
      return approval;
    });
    if (approvals.length === 0) return approvals;
    this.announce(approvals, new Set(approvals.map((approval) => approval.kind)));
    await this.store.flushed();
    const problem = this.store.lastProblem;
    if (problem !== undefined) throw new GatewayError('invalid_state', problem);
    return approvals;
  }

  /** Resolves once the changes made so far are in the state file (or could not be written). */
  flushed(): Promise<void> {
    return this.store.flushed();
  }

  /** Writes what is queued and stops watching the file. */
  close(): Promise<void> {
    return this.store.close();
  }

  /**
   * After the state changed: releases what it no longer withholds, logs and emits the approvals, and says that the
   * lists of `kinds` must be checked again.
   */
  private announce(approvals: readonly PinApproval[], kinds: ReadonlySet<PinKind>): void {
    this.revalidate();
    for (const approval of approvals) {
      const how = approval.via === 'gateway' ? 'approved' : 'approved in the state file';
      this.logger.info(`${describeItem(approval)}: changed definition ${how}; it is the pin now`);
      this.emit('approved', approval);
    }
    this.emit('updated', { kinds });
  }

  /** Releases what the state or the modes no longer withhold: an approved definition, an entry removed, a mode. */
  private revalidate(): void {
    this.withheldIndex.retain((change) => {
      const entry = entryOf(this.store.current, change.server, change.kind, change.name);
      return (
        this.modeOf(change.server) === 'enforce' && entry !== undefined && entry.hash !== change.presentedHash
      );
    });
  }

  /** The file changed under us (or our write brought back another process's changes). */
  private synced(previous: PinState, next: PinState): void {
    const kinds = changedKinds(previous, next);
    if (kinds.size === 0) return;
    const approvals: PinApproval[] = [];
    for (const { server, kind, name, entry } of entriesOf(previous)) {
      const now = entryOf(next, server, kind, name);
      if (!entry.pending || !now || now.hash !== entry.pending.hash) continue;
      const approvedAt = now.approvedAt ?? now.pinnedAt;
      approvals.push({
        server,
        kind,
        name,
        previousHash: entry.hash,
        approvedHash: now.hash,
        approvedAt,
        via: 'state-file',
      });
    }
    this.announce(approvals, kinds);
  }

  private report(key: string, change: PinChange): void {
    const signature = `${change.presentedHash}\u0000${change.withheld}`;
    if (this.reported.get(key) === signature) return;
    this.reported.set(key, signature);
    this.logger.warn(describeChangeForLog(change, change.withheld, this.adviceDir));
    this.emit('changed', change);
  }

  private reportFirstSight(server: string, kind: PinKind, pinned: readonly PinFirstSight[]): void {
    if (pinned.length === 0) return;
    const names =
      pinned.length === 1
        ? `${KIND_LABELS[kind]} "${pinned[0]?.name}"`
        : `${pinned.length} ${KIND_LABELS[kind]}s`;
    const where = this.persistent ? this.file : 'in memory only';
    this.logger.info(`pinned ${names} of server "${server}" on first sight (${where})`);
    for (const item of pinned) this.emit('pinned', item);
  }
}
