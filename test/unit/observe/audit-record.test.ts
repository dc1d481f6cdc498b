import { describe, expect, it } from 'vitest';

import { callRecord, changeRecord, toLine } from '../../../src/observe/audit-record.js';
import type { CallEvent, ChangeEvent } from '../../../src/shared/observation.js';

const CALL: CallEvent = {
  type: 'call',
  principal: 'alice',
  frontDoor: 'http-legacy',
  sessionId: 'session-1',
  client: { name: 'my-client', version: '2.0.0' },
  startedAt: Date.UTC(2025, 0, 2, 3, 4, 5, 6),
  durationMs: 1.23456,
  server: 'db',
  method: 'tools/call',
  tool: 'query',
  route: 'tool',
  outcome: 'ok',
  errorCode: undefined,
  limit: undefined,
  arguments: { sql: 'select 1', password: 'hunter2' },
};

describe('audit records', () => {
  it('carries who, what, the outcome and the duration of a call, and no argument unless asked', () => {
    const line = toLine(callRecord(CALL, false));
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({
      time: '2025-01-02T03:04:05.006Z',
      event: 'call',
      principal: 'alice',
      frontDoor: 'http-legacy',
      session: 'session-1',
      clientName: 'my-client',
      clientVersion: '2.0.0',
      server: 'db',
      method: 'tools/call',
      tool: 'query',
      route: 'tool',
      outcome: 'ok',
      durationMs: 1.23,
    });
    expect(line).not.toContain('hunter2');
    expect(line).not.toContain('select 1');
  });

  it('writes the arguments, redacted, when asked, without changing the event', () => {
    const record = JSON.parse(toLine(callRecord(CALL, true))) as { arguments: unknown };
    expect(record.arguments).toEqual({ sql: 'select 1', password: '[redacted]' });
    expect(CALL.arguments).toEqual({ sql: 'select 1', password: 'hunter2' });
  });

  it('says which limit refused a call, and its error code', () => {
    const refused: CallEvent = {
      ...CALL,
      outcome: 'refused',
      errorCode: -32029,
      limit: 'limits.perPrincipal.callsPerMinute',
      durationMs: 0,
    };
    expect(JSON.parse(toLine(callRecord(refused, false)))).toMatchObject({
      outcome: 'refused',
      errorCode: -32029,
      limit: 'limits.perPrincipal.callsPerMinute',
      durationMs: 0,
    });
  });

  it('records a change with its action and detail; a reload names no session nor client', () => {
    const reload: ChangeEvent = {
      type: 'change',
      principal: 'operator',
      frontDoor: undefined,
      sessionId: undefined,
      client: undefined,
      action: 'reload',
      startedAt: 0,
      durationMs: 12.5,
      server: undefined,
      outcome: 'ok',
      errorCode: undefined,
      detail: { reason: 'SIGHUP', added: ['b'], removed: [], restarted: [], changed: [] },
    };
    expect(JSON.parse(toLine(changeRecord(reload)))).toEqual({
      time: '1970-01-01T00:00:00.000Z',
      event: 'change',
      principal: 'operator',
      action: 'reload',
      outcome: 'ok',
      durationMs: 12.5,
      detail: { reason: 'SIGHUP', added: ['b'], removed: [], restarted: [], changed: [] },
    });
  });
});
