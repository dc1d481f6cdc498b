/**
 * The items a gateway withholds, by kind, server and name: built when the catalog checks what a backend presents
 * (`Pins.observe`), looked up by every call. A lookup is two or three `Map` reads: nothing is hashed or read from
 * disk on the call path.
 */
import type { PinChange } from './pin-events.js';
import { PIN_KINDS, type PinKind } from './pin-kinds.js';

/** Withheld items and the change that withholds each. */
export class WithheldIndex {
  private readonly byKind = new Map<PinKind, Map<string, ReadonlyMap<string, PinChange>>>(
    PIN_KINDS.map((kind) => [kind, new Map()]),
  );

  /** The change that withholds the item, if it is withheld. */
  get(server: string, kind: PinKind, name: string): PinChange | undefined {
    return this.byKind.get(kind)?.get(server)?.get(name);
  }

  /** Replaces what is withheld of `server`'s items of `kind`. */
  set(server: string, kind: PinKind, withheld: ReadonlyMap<string, PinChange>): void {
    if (withheld.size > 0) this.byKind.get(kind)?.set(server, withheld);
    else this.byKind.get(kind)?.delete(server);
  }

  /**
   * Keeps only the items `stillWithheld` says are: after the state or the modes changed, so that an approved item is
   * released at once (a prompt is checked again only when a client lists the prompts).
   */
  retain(stillWithheld: (change: PinChange) => boolean): void {
    for (const [kind, byServer] of this.byKind) {
      for (const [server, byName] of byServer) {
        this.set(server, kind, new Map([...byName].filter(([, change]) => stillWithheld(change))));
      }
    }
  }
}
