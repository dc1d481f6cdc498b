import { describe, expect, it } from 'vitest';

import { GatewayError } from '../../../src/errors/gateway-error.js';
import { Limits } from '../../../src/observe/limits.js';
import type { LimitsConfig } from '../../../src/observe/limits-config.js';
import type { Admission, AdmissionRequest } from '../../../src/shared/observation.js';

function request(principal: string, sessionId: string | undefined = 's1'): AdmissionRequest {
  return { principal, sessionId, frontDoor: 'http-legacy', method: 'tools/call' };
}

function limitsWith(config: LimitsConfig) {
  let time = 0;
  const limits = new Limits(config, () => time);
  return { limits, advance: (ms: number) => (time += ms) };
}

/** The refusal's error data, after checking it is one. */
function refusedData(admission: Admission): { limit: string; value: number; retryAfterMs: number } {
  if (admission.admitted) throw new Error('expected a refusal');
  expect(admission.error).toBeInstanceOf(GatewayError);
  expect((admission.error as GatewayError).code).toBe('limit_exceeded');
  return (admission.error as GatewayError).data as { limit: string; value: number; retryAfterMs: number };
}

describe('Limits', () => {
  it('holds calls in flight per principal, and frees a place when one ends (once, however often released)', () => {
    const { limits } = limitsWith({ perPrincipal: { callsInFlight: 2 } });
    const first = limits.admit(request('alice', 'a'));
    const second = limits.admit(request('alice', 'b'));
    expect(first.admitted && second.admitted).toBe(true);
    const third = limits.admit(request('alice', 'c'));
    expect(refusedData(third)).toEqual({
      limit: 'limits.perPrincipal.callsInFlight',
      value: 2,
      retryAfterMs: 1000,
    });
    expect(third.admitted ? '' : third.error.message).toMatch(
      /principal "alice" already has 2 calls in flight/,
    );
    // Another principal has its own share.
    expect(limits.admit(request('bob')).admitted).toBe(true);
    if (first.admitted) {
      first.release();
      first.release();
    }
    expect(limits.admit(request('alice')).admitted).toBe(true);
    expect(limits.admit(request('alice')).admitted).toBe(false);
  });

  it('counts calls per minute with a token bucket and says when to retry', () => {
    const { limits, advance } = limitsWith({ perPrincipal: { callsPerMinute: 2 } });
    for (let i = 0; i < 2; i++) {
      const admission = limits.admit(request('alice'));
      if (admission.admitted) admission.release();
      expect(admission.admitted).toBe(true);
    }
    const refused = limits.admit(request('alice'));
    expect(refusedData(refused)).toEqual({
      limit: 'limits.perPrincipal.callsPerMinute',
      value: 2,
      retryAfterMs: 30_000,
    });
    expect(refused.admitted ? '' : refused.error.message).toContain('retry in 30000 ms');
    advance(30_000);
    expect(limits.admit(request('alice')).admitted).toBe(true);
  });

  it('holds each session to its own limits, and forgets a session once it closed', () => {
    const { limits } = limitsWith({ perSession: { callsInFlight: 1, callsPerMinute: 100 } });
    const held = limits.admit(request('alice', 'one'));
    expect(held.admitted).toBe(true);
    expect(refusedData(limits.admit(request('alice', 'one'))).limit).toBe('limits.perSession.callsInFlight');
    expect(limits.admit(request('alice', 'two')).admitted).toBe(true);
    // A stateless request belongs to no session: only its principal's limits apply.
    expect(limits.admit(request('alice', undefined)).admitted).toBe(true);
    limits.onSession({
      type: 'session',
      action: 'closed',
      at: 0,
      principal: 'alice',
      frontDoor: 'http-legacy',
      sessionId: 'one',
      client: undefined,
    });
    expect(limits.admit(request('alice', 'one')).admitted).toBe(true);
  });

  it("refuses a session over its per-minute limit without spending the principal's token", () => {
    const { limits } = limitsWith({ perPrincipal: { callsPerMinute: 3 }, perSession: { callsPerMinute: 1 } });
    expect(limits.admit(request('alice', 'one')).admitted).toBe(true);
    expect(refusedData(limits.admit(request('alice', 'one'))).limit).toBe('limits.perSession.callsPerMinute');
    expect(refusedData(limits.admit(request('alice', 'one'))).limit).toBe('limits.perSession.callsPerMinute');
    // Two tokens of the principal are left: the refused calls took none.
    expect(limits.admit(request('alice', 'two')).admitted).toBe(true);
    expect(limits.admit(request('alice', 'three')).admitted).toBe(true);
    expect(refusedData(limits.admit(request('alice', 'four'))).limit).toBe(
      'limits.perPrincipal.callsPerMinute',
    );
  });

  it("takes a named principal's limits over perPrincipal, key by key", () => {
    const { limits } = limitsWith({
      perPrincipal: { callsInFlight: 1, sessions: 1 },
      principals: { ci: { callsInFlight: 3 } },
    });
    for (let i = 0; i < 3; i++) expect(limits.admit(request('ci')).admitted).toBe(true);
    expect(refusedData(limits.admit(request('ci'))).limit).toBe('limits.principals.ci.callsInFlight');
    // `sessions` comes from perPrincipal.
    const ticket = limits.admitSession('ci');
    expect(ticket.admitted).toBe(true);
    expect(limits.admitSession('ci')).toMatchObject({
      admitted: false,
      limit: 'limits.principals.ci.sessions',
    });
  });

  it('holds sessions open per principal, and frees a place once one closes', () => {
    const { limits } = limitsWith({ perPrincipal: { sessions: 2 } });
    expect(limits.limitsSessions).toBe(true);
    expect(limits.limitsCalls).toBe(false);
    const first = limits.admitSession('alice');
    expect(limits.admitSession('alice').admitted).toBe(true);
    const refused = limits.admitSession('alice');
    expect(refused).toMatchObject({
      admitted: false,
      limit: 'limits.perPrincipal.sessions',
      retryAfterMs: 60_000,
    });
    expect(refused.admitted ? '' : refused.message).toMatch(/principal "alice" has 2 open/);
    expect(limits.admitSession('bob').admitted).toBe(true);
    if (first.admitted) {
      first.release();
      first.release();
    }
    expect(limits.admitSession('alice').admitted).toBe(true);
    expect(limits.admitSession('alice').admitted).toBe(false);
  });
});
