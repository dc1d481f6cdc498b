/**
 * Which servers' tools or state changed since the last look, so that a change of the catalog is announced only to
 * the sessions whose access rights show one of them (a principal is not told, over and over, of changes to servers
 * it cannot see). Looked at only while access rules are in force.
 */
import type { Backend } from '../../shared/backend.js';

/** The servers as last seen, and what changed since. */
export class ChangedServers {
  private last = new Map<string, string>();

  /** The names of the servers added, removed, or whose state or tools differ since the last call. */
  since(backends: readonly Backend[]): ReadonlySet<string> {
    const now = new Map(backends.map((backend) => [backend.name, signatureOf(backend)]));
    const changed = new Set<string>();
    for (const [name, signature] of now) if (this.last.get(name) !== signature) changed.add(name);
    for (const name of this.last.keys()) if (!now.has(name)) changed.add(name);
    this.last = now;
    return changed;
  }
}

function signatureOf(backend: Backend): string {
  return `${backend.state}\n${JSON.stringify(backend.tools())}`;
}
