/**
 * The connections of a backend that connects per principal (`oauth.perPrincipal`): one per principal that calls it,
 * opened on its first call with its own tokens, closed when unused for `idleTimeoutMs`, at most `maxConnections`
 * at once (past it the least recently used idle one is closed; with every one in use, the call is refused). The
 * backend's own connection (the gateway's identity) lists its tools; every call of a principal goes over that
 * principal's connection, and so does every other request it sends (resources, prompts, completion). The exchange
 * itself is the backend's (`ManagedBackend`): this hands it the connection.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../logger.js';
import type { BackendInfo } from '../../shared/backend-info.js';
import type { BackendEvents, BackendOptions } from '../backend-options.js';
import type { BackendSpec } from '../backend-spec.js';
import type { BackendConnection } from '../connection/connection.js';
import type { PrincipalLimits } from '../oauth/oauth-config.js';
import { PrincipalConnection } from './principal-connection.js';

/** The principal of a caller nobody authenticated: all such callers are one, so none may act as itself. */
const ANONYMOUS = 'anonymous';
/** A principal whose person must authorize is kept this long at least (the wait of a call for the callback). */
const AUTHORIZATION_KEPT_MS = 600_000;

/** What the backend shares with its principals' connections. */
export interface PrincipalsOwner {
  readonly spec: BackendSpec;
  readonly options: BackendOptions;
  readonly logger: Logger;
  readonly events: BackendEvents;
}

interface Entry {
  readonly connection: PrincipalConnection;
  idle: NodeJS.Timeout | undefined;
}

/** The per-principal connections of a backend that has them; undefined for every other backend. */
export function principalConnectionsOf(owner: PrincipalsOwner): PrincipalConnections | undefined {
  const limits = owner.spec.oauth?.perPrincipal;
  if (limits === undefined || owner.options.oauth === undefined) return undefined;
  return new PrincipalConnections(owner, limits);
}

/** One backend's principals' connections. */
export class PrincipalConnections {
  /** In the order of last use: the first idle one is the least recently used. */
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  constructor(
    private readonly owner: PrincipalsOwner,
    private readonly limits: PrincipalLimits,
  ) {}

  /**
   * Runs `exchange` over `principal`'s own connection, opened (and authorized, unless `method` is a list) first
   * when needed; the connection counts as in use meanwhile.
   */
  async use<T>(
    principal: string,
    method: string,
    signal: AbortSignal | undefined,
    tool: string | undefined,
    exchange: (connection: BackendConnection) => Promise<T>,
  ): Promise<T> {
    const entry = this.entryOf(principal, tool);
    entry.connection.inFlight += 1;
    clearTimeout(entry.idle);
    try {
      // A list is not worth a person's sign-in: it shows what the principal sees once it authorized.
      const ask = !method.endsWith('/list');
      return await exchange(await entry.connection.connect(signal, tool, ask));
    } finally {
      entry.connection.inFlight -= 1;
      if (entry.connection.inFlight === 0) this.armIdle(principal, entry);
    }
  }

  /**
   * `info` as `principal` sees it: its own pending authorization (state `needs_authorization`, its URL) when it
   * has one; and, for everyone, how many principals are connected or wait for authorization (counts, never who).
   */
  view(info: BackendInfo, principal: string | undefined): BackendInfo {
    let connected = 0;
    let needsAuthorization = 0;
    for (const { connection } of this.entries.values()) {
      if (connection.state === 'ready') connected += 1;
      else if (connection.state === 'needs_authorization') needsAuthorization += 1;
    }
    const seen = { ...info, principals: { connected, needsAuthorization } };
    if (principal === undefined || principal === ANONYMOUS || info.state !== 'ready') return seen;
    const own = this.entries.get(principal)?.connection;
    const url = own?.authorizationUrl;
    if (url !== undefined) {
      return {
        ...seen,
        state: 'needs_authorization',
        authorizationUrl: url,
        lastError: own?.describe() ?? null,
      };
    }
    // Never connected, and no tokens kept: its first call asks its person (and then this shows the URL).
    const { name } = this.owner.spec;
    if (own || this.owner.options.oauth?.store.hasTokens(`${name}\n${principal}`) !== false) return seen;
    const lastError =
      `backend "${name}" acts for each principal with its own authorization, and principal "${principal}" has ` +
      'not authorized it yet; call one of its tools to be asked (or to get the URL to open)';
    return { ...seen, state: 'needs_authorization', lastError };
  }

  /** How many principals' connections are kept now. */
  get size(): number {
    return this.entries.size;
  }

  /** Closes every principal's connection for good (the backend is removed). */
  async close(): Promise<void> {
    this.closed = true;
    await this.reset();
  }

  /** Closes every principal's connection (the backend restarts): each opens again on its principal's next call. */
  async reset(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.allSettled(all.map((entry) => this.end(entry)));
  }

  /** `principal`'s entry, made (within the limit) when it has none; moved to the end of the order of use. */
  private entryOf(principal: string, tool: string | undefined): Entry {
    const { name } = this.owner.spec;
    if (this.closed) {
      throw new GatewayError('backend_unavailable', `backend "${name}" was removed`, { backend: name, tool });
    }
    if (principal === ANONYMOUS) {
      throw new GatewayError(
        'backend_unavailable',
        `backend "${name}" acts for each principal with its own authorization, and this caller is not ` +
          'authenticated (principal "anonymous"): configure authentication of the HTTP front door (static ' +
          'tokens or OAuth) so that each caller is a principal',
        { backend: name, tool },
      );
    }
    const entry = this.entries.get(principal);
    if (entry) {
      this.entries.delete(principal);
      this.entries.set(principal, entry);
      return entry;
    }
    if (this.entries.size >= this.limits.maxConnections) this.evict(tool);
    const { spec, options, logger, events } = this.owner;
    const connection = new PrincipalConnection({
      spec,
      options,
      logger: logger.child(`principal ${principal}`),
      events: {
        ...events,
        changed: () => {
          // A principal that must authorize is kept long enough for its person to do so.
          const kept = this.entries.get(principal);
          if (kept && kept.connection.inFlight === 0) this.armIdle(principal, kept);
          events.changed();
        },
      },
      principal,
    });
    const made: Entry = { connection, idle: undefined };
    this.entries.set(principal, made);
    return made;
  }

  /** Makes room for one more: closes the least recently used idle connection, or refuses when all are in use. */
  private evict(tool: string | undefined): void {
    for (const [principal, entry] of this.entries) {
      if (entry.connection.inFlight > 0) continue;
      this.entries.delete(principal);
      void this.end(entry);
      return;
    }
    const { name } = this.owner.spec;
    throw new GatewayError(
      'limit_exceeded',
      `backend "${name}" has ${this.limits.maxConnections} principals' connections with calls in flight, its ` +
        'limit (oauth.perPrincipal.maxConnections); try again when a call ended, or raise the limit',
      { backend: name, tool },
    );
  }

  /** Closes `principal`'s connection once unused for the idle time (longer while its person must authorize). */
  private armIdle(principal: string, entry: Entry): void {
    clearTimeout(entry.idle);
    const waiting = entry.connection.state === 'needs_authorization';
    const after = waiting
      ? Math.max(this.limits.idleTimeoutMs, AUTHORIZATION_KEPT_MS)
      : this.limits.idleTimeoutMs;
    entry.idle = setTimeout(() => {
      if (this.entries.get(principal) !== entry || entry.connection.inFlight > 0) return;
      this.entries.delete(principal);
      this.owner.logger.debug('closed an idle principal connection', { idleMs: after });
      void this.end(entry);
      this.owner.events.changed();
    }, after);
    // Never keeps the gateway alive on its own.
    entry.idle.unref();
  }

  private async end(entry: Entry): Promise<void> {
    clearTimeout(entry.idle);
    await entry.connection.close();
  }
}
