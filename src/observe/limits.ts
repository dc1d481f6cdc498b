/**
 * The limits of the config's `limits` section: calls in flight and calls per minute of each principal and each
 * session (a gate every client request passes: see `CallGate`), and HTTP sessions open per principal (asked by the
 * HTTP front door before it opens one). A principal's usage is its own: one token running out leaves the others as
 * they were.
 */
import { GatewayError } from '../errors/gateway-error.js';
import type { Admission, AdmissionRequest, CallGate, SessionEvent } from '../shared/observation.js';
import type { LimitsConfig } from './limits-config.js';
import { TokenBucket, type Clock } from './token-bucket.js';

/**
 * The retry hint of a refusal for calls in flight: when a call ends cannot be known, so the client is told to try
 * again after about this long.
 */
export const IN_FLIGHT_RETRY_MS = 1000;

/** The limits of one principal (or one session), after `principals.<name>` replaced `perPrincipal` key by key. */
interface CallLimits {
  readonly callsInFlight?: number | undefined;
  readonly callsPerMinute?: number | undefined;
  readonly sessions?: number | undefined;
}

/** What one principal (or session) uses now. */
interface Usage {
  inFlight: number;
  sessions: number;
  bucket: TokenBucket | undefined;
}

/** A refusal to open a session: which limit, its value, and when to try again. */
export interface SessionRefusal {
  readonly admitted: false;
  readonly limit: string;
  readonly message: string;
  readonly retryAfterMs: number;
}

/** The session may open; `release()` once it has closed (or failed to open). */
export interface SessionTicket {
  readonly admitted: true;
  release(): void;
}

/** One gateway's limits. */
export class Limits implements CallGate {
  private readonly principals = new Map<string, Usage>();
  private readonly sessions = new Map<string, Usage>();

  constructor(
    private readonly config: LimitsConfig,
    private readonly clock: Clock = () => performance.now(),
  ) {}

  /** Whether any limit applies to calls: only then is the gate worth asking (it runs on every call). */
  get limitsCalls(): boolean {
    const { perPrincipal, perSession, principals } = this.config;
    return [perPrincipal, perSession, ...Object.values(principals ?? {})].some(
      (limits) => limits?.callsInFlight !== undefined || limits?.callsPerMinute !== undefined,
    );
  }

  /** Whether any limit applies to sessions per principal. */
  get limitsSessions(): boolean {
    const { perPrincipal, principals } = this.config;
    return [perPrincipal, ...Object.values(principals ?? {})].some(
      (limits) => limits?.sessions !== undefined,
    );
  }

  admit(request: AdmissionRequest): Admission {
    const { principal, sessionId } = request;
    const principalLimits = this.limitsOf(principal);
    const principalPath = this.pathOf(principal);
    const byPrincipal = usageOf(this.principals, principal);
    const sessionLimits: CallLimits = sessionId === undefined ? {} : (this.config.perSession ?? {});
    const bySession = sessionId === undefined ? undefined : usageOf(this.sessions, sessionId);
    const who = `principal "${principal}"`;
    const refusal =
      inFlightRefusal(byPrincipal, principalLimits, `${principalPath}.callsInFlight`, who) ??
      (bySession &&
        inFlightRefusal(bySession, sessionLimits, 'limits.perSession.callsInFlight', 'this session')) ??
      this.takeTokens(byPrincipal, principalLimits, principalPath, bySession, sessionLimits, who);
    if (refusal) return refusal;
    byPrincipal.inFlight += 1;
    if (bySession) bySession.inFlight += 1;
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        byPrincipal.inFlight -= 1;
        if (bySession) bySession.inFlight -= 1;
      },
    };
  }

  /** Whether `principal` may open another HTTP session. */
  admitSession(principal: string): SessionTicket | SessionRefusal {
    const max = this.limitsOf(principal).sessions;
    const usage = usageOf(this.principals, principal);
    if (max !== undefined && usage.sessions >= max) {
      return {
        admitted: false,
        limit: `${this.pathOf(principal)}.sessions`,
        message:
          `Too many sessions: principal "${principal}" has ${max} open, its limit ` +
          `(${this.pathOf(principal)}.sessions); close one (HTTP DELETE) or wait for one to expire`,
        retryAfterMs: 60_000,
      };
    }
    usage.sessions += 1;
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        usage.sessions -= 1;
      },
    };
  }

  /** Forgets a session's usage once it closed (a session listener: see `GatewayObservation.onSession`). */
  readonly onSession = (event: SessionEvent): void => {
    if (event.action === 'closed' && event.sessionId !== undefined) this.sessions.delete(event.sessionId);
  };

  /** Takes a token from each bucket that applies; refused, nothing is taken. */
  private takeTokens(
    byPrincipal: Usage,
    principalLimits: CallLimits,
    principalPath: string,
    bySession: Usage | undefined,
    sessionLimits: CallLimits,
    who: string,
  ): Admission | undefined {
    const principalWait = take(byPrincipal, principalLimits, this.clock);
    if (principalWait > 0) {
      return perMinuteRefusal(principalLimits, `${principalPath}.callsPerMinute`, who, principalWait);
    }
    const sessionWait = bySession ? take(bySession, sessionLimits, this.clock) : 0;
    if (sessionWait > 0) {
      byPrincipal.bucket?.giveBack();
      return perMinuteRefusal(sessionLimits, 'limits.perSession.callsPerMinute', 'this session', sessionWait);
    }
    return undefined;
  }

  private limitsOf(principal: string): CallLimits {
    const own = this.config.principals?.[principal];
    return own ? { ...this.config.perPrincipal, ...own } : (this.config.perPrincipal ?? {});
  }

  /** Where a principal's limits are set, as the config file says it. */
  private pathOf(principal: string): string {
    return this.config.principals?.[principal] ? `limits.principals.${principal}` : 'limits.perPrincipal';
  }
}

function usageOf(map: Map<string, Usage>, key: string): Usage {
  let usage = map.get(key);
  if (!usage) {
    usage = { inFlight: 0, sessions: 0, bucket: undefined };
    map.set(key, usage);
  }
  return usage;
}

/** Takes a token when a per-minute limit applies: 0, or the ms to wait. */
function take(usage: Usage, limits: CallLimits, clock: Clock): number {
  const perMinute = limits.callsPerMinute;
  if (perMinute === undefined) return 0;
  if (usage.bucket?.perMinute !== perMinute) usage.bucket = new TokenBucket(perMinute, clock);
  return usage.bucket.take();
}

function inFlightRefusal(
  usage: Usage,
  limits: CallLimits,
  limit: string,
  who: string,
): Admission | undefined {
  const max = limits.callsInFlight;
  if (max === undefined || usage.inFlight < max) return undefined;
  return refusal(
    limit,
    max,
    IN_FLIGHT_RETRY_MS,
    `Too many requests: ${who} already has ${max} calls in flight, its limit (${limit}); retry once one has ` +
      `ended, in about ${IN_FLIGHT_RETRY_MS} ms`,
  );
}

function perMinuteRefusal(limits: CallLimits, limit: string, who: string, waitMs: number): Admission {
  const max = limits.callsPerMinute ?? 0;
  return refusal(
    limit,
    max,
    waitMs,
    `Too many requests: ${who} is over its limit of ${max} calls per minute (${limit}); retry in ${waitMs} ms`,
  );
}

function refusal(limit: string, value: number, retryAfterMs: number, message: string): Admission {
  return {
    admitted: false,
    limit,
    error: new GatewayError('limit_exceeded', message, { data: { limit, value, retryAfterMs } }),
  };
}
