/**
 * The audit log's records: one JSON object per line, built from the gateway's events (see `shared/observation.ts`).
 * Never a secret: principals are token names; argument values are written only when asked, redacted.
 */
import type { CallEvent, ChangeEvent, SessionFields } from '../shared/observation.js';
import { redact } from './redact.js';

/** One line of the audit log, before it is serialized: absent fields are left out of the line. */
export interface AuditRecord {
  /** ISO 8601 time the request or change started. */
  readonly time: string;
  /** `call`: a client request that reached (or was refused before) a backend; `change`: the gateway changed. */
  readonly event: 'call' | 'change';
  readonly principal: string;
  readonly frontDoor?: string;
  readonly session?: string;
  readonly clientName?: string;
  readonly clientVersion?: string;
  /** For a change: `register`, `remove`, `restart`, `reload`, `approve`... */
  readonly action?: string;
  readonly server?: string;
  readonly method?: string;
  readonly tool?: string;
  readonly route?: string;
  readonly outcome: string;
  readonly errorCode?: number;
  /** For a refusal: the limit. */
  readonly limit?: string;
  /** For a refusal by the access rules: the rule (or the default) and the pattern. */
  readonly reason?: string;
  /** Milliseconds, to the hundredth. */
  readonly durationMs: number;
  /** Only with `audit.arguments`, redacted. */
  readonly arguments?: unknown;
  /** A change's detail (a reload's servers added, removed, restarted). */
  readonly detail?: unknown;
}

/** The record of a call; `withArguments` adds its arguments, redacted. */
export function callRecord(event: CallEvent, withArguments: boolean): AuditRecord {
  return {
    time: new Date(event.startedAt).toISOString(),
    event: 'call',
    ...who(event),
    server: event.server,
    method: event.method,
    tool: event.tool,
    route: event.route,
    outcome: event.outcome,
    errorCode: event.errorCode,
    limit: event.limit,
    reason: event.reason,
    durationMs: round(event.durationMs),
    arguments: withArguments && event.arguments !== undefined ? redact(event.arguments) : undefined,
  };
}

/** The record of a change. Its detail is redacted too: it never should carry a secret, and never will. */
export function changeRecord(event: ChangeEvent): AuditRecord {
  return {
    time: new Date(event.startedAt).toISOString(),
    event: 'change',
    ...who(event),
    action: event.action,
    server: event.server,
    outcome: event.outcome,
    errorCode: event.errorCode,
    durationMs: round(event.durationMs),
    detail: event.detail === undefined ? undefined : redact(event.detail),
  };
}

/** A record as its line: JSON without the absent fields, and a newline. */
export function toLine(record: AuditRecord): string {
  return `${JSON.stringify(record)}\n`;
}

function who(
  fields: SessionFields,
): Pick<AuditRecord, 'principal' | 'frontDoor' | 'session' | 'clientName' | 'clientVersion'> {
  return {
    principal: fields.principal,
    frontDoor: fields.frontDoor,
    session: fields.sessionId,
    clientName: fields.client?.name,
    clientVersion: fields.client?.version,
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
