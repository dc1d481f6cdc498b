/**
 * The catalog's side of definition pinning (src/pins/): what the backends present goes through here whenever a list
 * is built, and the names resolved for calls are checked here. With no {@link Pins} (pinning not set up: unit tests,
 * an embedding) everything passes.
 */
import type { GatewayError } from '../../errors/gateway-error.js';
import { pinCommand } from '../../pins/pin-advice.js';
import type { PinChange } from '../../pins/pin-events.js';
import type { PinKind } from '../../pins/pin-kinds.js';
import type { Pins } from '../../pins/pins.js';

/** A change waiting for approval, as `list_servers` shows it. */
export interface PendingChange extends PinChange {
  /** The command that shows the change (`mcp-gateway pins diff ...`), quoted for a shell; null: pins in memory. */
  readonly review: string | null;
  /** The command that approves it; null when the pins are in memory only. */
  readonly approve: string | null;
}

/** The pins a catalog checks against. */
export class PinGate {
  constructor(private readonly pins: Pins | undefined) {}

  /**
   * Checks what `server` presents of one kind (pins the new items, reports the changed ones) and returns the names
   * of the items to withhold (pinning `enforce`): none when pinning is not set up.
   */
  observe(server: string, kind: PinKind, items: readonly object[]): ReadonlySet<string> {
    return this.pins ? this.pins.observe(server, kind, items) : NONE;
  }

  /** The refusal of a call to (or a `prompts/get` of) the item, when it is withheld now. */
  refusal(server: string, kind: PinKind, name: string): GatewayError | undefined {
    const change = this.pins?.withheld(server, kind, name);
    return change && this.pins?.refusal(change);
  }

  /** The changes of `server`'s definitions waiting for approval, with the commands that review and approve each. */
  changesOf(server: string): PendingChange[] {
    const pins = this.pins;
    if (!pins) return [];
    const dir = pins.adviceDir;
    return pins.changesOf(server).map((change) => ({
      ...change,
      review: dir === undefined ? null : pinCommand('diff', dir, server, change.name, change.kind),
      approve: dir === undefined ? null : pinCommand('approve', dir, server, change.name, change.kind),
    }));
  }

  /** Calls `listener` when what is withheld may have changed, with the kinds to check again; returns the stop. */
  onUpdated(listener: (kinds: ReadonlySet<PinKind>) => void): () => void {
    const pins = this.pins;
    if (!pins) return () => undefined;
    const heard = ({ kinds }: { kinds: ReadonlySet<PinKind> }): void => listener(kinds);
    pins.on('updated', heard);
    return () => void pins.off('updated', heard);
  }
}

const NONE: ReadonlySet<string> = new Set();
