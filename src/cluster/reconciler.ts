/**
 * Makes this replica's runtime backends match the shared registry: at start, on each pub/sub wake-up, and whenever
 * the periodic revision check sees a change a wake-up missed. Entries that do not open (tampered with, another key)
 * or that this replica's own `registration.allowCommands` refuses are logged and never run. A store that lost its
 * data (another epoch, or a revision gone backwards) removes nothing: this replica puts its entries back instead.
 */
import type { Logger } from '../logger.js';
import type { ClusterStore, RegistrySnapshot } from './cluster-store.js';
import { openEntry, type RegistryEntry } from './registry-entry.js';
import { planReconcile, type AcceptedEntry } from './registry-order.js';
import type { ReplicatedDirectory } from './replicated-directory.js';

/** How often the revision is compared with the one applied: the bound on repairing a lost wake-up. */
export const REVISION_CHECK_MS = 1000;

/** An entry this replica will not run, and why (shown in the cluster-wide `list_servers`). */
export interface RefusedEntry {
  readonly sealed: string;
  readonly reason: string;
}

/** What the reconciler needs beyond the store and the directory. */
export interface ReconcilerOptions {
  readonly sealKey: Buffer;
  /** Resolves when this replica's registration policy lets the entry's command run; rejects saying why not. */
  readonly allows: (entry: RegistryEntry) => Promise<unknown>;
  readonly logger: Logger;
  /** Called after each pass (refusals change what this replica reports without changing its backends). */
  readonly passed?: (() => void) | undefined;
}

/** One replica's reconcile loop. */
export class Reconciler {
  /** Entries refused here, by name. */
  readonly refused = new Map<string, RefusedEntry>();
  private epoch: string | undefined;
  private rev = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: ClusterStore,
    private readonly directory: ReplicatedDirectory,
    private readonly options: ReconcilerOptions,
  ) {}

  /** Applies the registry once (at start), then follows it: wake-ups and the revision check. */
  async start(): Promise<void> {
    this.epoch = await this.store.ensureEpoch();
    await this.store.subscribe(() => void this.run());
    await this.run();
    this.timer = setInterval(() => void this.check(), REVISION_CHECK_MS);
    this.timer.unref();
  }

  /** Runs a pass now, or once more after the one under way; resolves when it is done. Never rejects. */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.pass();
        } catch (error) {
          this.options.logger.warn('could not read the cluster registry; retrying', {
            reason: (error as Error).message,
          });
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** The revision check: a pass when the epoch or the revision differ from the ones applied. */
  private async check(): Promise<void> {
    try {
      const { epoch, rev } = await this.store.version();
      if (epoch !== this.epoch || rev !== this.rev) await this.run();
    } catch {
      // Redis is unreachable: the next check tries again; nothing changes meanwhile.
    }
  }

  private async pass(): Promise<void> {
    if (this.stopped) return;
    const snapshot = await this.store.snapshot();
    const reset = snapshot.epoch !== this.epoch || snapshot.rev < this.rev;
    if (reset) {
      await this.reseed(snapshot);
      return;
    }
    const accepted = await this.accept(snapshot);
    const directory = this.directory;
    const keep = new Set([...directory.busy, ...this.unreadable(snapshot)]);
    const plan = planReconcile(directory.applied, accepted, keep, false);
    await Promise.all(plan.remove.map((name) => directory.drop(name)));
    const starts: Promise<unknown>[] = [];
    // Called in `seq` order (each registration takes its place at once); the starts run together.
    for (const entry of plan.add) {
      const opened = openEntry(this.options.sealKey, entry.name, entry.sealed);
      this.options.logger.info('applying a cluster registration', { backend: entry.name, seq: entry.seq });
      starts.push(
        directory.adopt(entry.name, opened.config, { seq: entry.seq, sealed: entry.sealed }, opened.baseDir),
      );
    }
    this.rev = snapshot.rev;
    this.options.passed?.();
    await Promise.all(starts);
  }

  /** The entries this replica runs: they open, they are not config servers here, and the local policy allows them. */
  private async accept(snapshot: RegistrySnapshot): Promise<AcceptedEntry[]> {
    const accepted: AcceptedEntry[] = [];
    for (const [name, sealed] of Object.entries(snapshot.entries)) {
      if (this.directory.applied.get(name)?.sealed === sealed) {
        accepted.push({ name, seq: this.directory.applied.get(name)?.seq ?? 0, sealed });
        continue;
      }
      if (this.refused.get(name)?.sealed === sealed || this.directory.busy.has(name)) continue;
      let entry: RegistryEntry;
      try {
        entry = openEntry(this.options.sealKey, name, sealed);
      } catch (error) {
        this.refuse(
          name,
          sealed,
          `its sealed entry does not open: ${(error as Error).message}; it is not run`,
        );
        continue;
      }
      if (this.directory.isConfigServer(name)) {
        this.refuse(
          name,
          sealed,
          "a server of this replica's config file has that name; the config server stays",
        );
        continue;
      }
      try {
        await this.options.allows(entry);
      } catch (error) {
        this.refuse(
          name,
          sealed,
          `this replica's registration policy refuses it: ${(error as Error).message}`,
        );
        continue;
      }
      this.refused.delete(name);
      accepted.push({ name, seq: entry.seq, sealed });
    }
    for (const name of this.refused.keys()) if (!(name in snapshot.entries)) this.refused.delete(name);
    return accepted;
  }

  /** Names whose entry is present but refused: what already runs under them stays. */
  private unreadable(snapshot: RegistrySnapshot): string[] {
    return [...this.refused.keys()].filter((name) => name in snapshot.entries);
  }

  private refuse(name: string, sealed: string, reason: string): void {
    this.refused.set(name, { sealed, reason });
    this.options.logger.error('cluster registration refused', { backend: name, reason });
  }

  /** The store lost its data: remove nothing, put this replica's entries back, and follow the new epoch. */
  private async reseed(snapshot: RegistrySnapshot): Promise<void> {
    const epoch = snapshot.epoch ?? (await this.store.ensureEpoch());
    if (this.epoch !== undefined) {
      this.options.logger.error(
        'the cluster store lost its registry (new epoch, or its revision went back): nothing is removed; ' +
          'putting back the entries this replica runs',
        { entries: this.directory.applied.size },
      );
    }
    await this.store.reseed(epoch, this.directory.applied);
    this.epoch = epoch;
    this.rev = -1;
    this.again = true;
  }
}
