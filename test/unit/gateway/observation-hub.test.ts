import { describe, expect, it } from 'vitest';

import { ObservationHub } from '../../../src/gateway/observation-hub.js';
import { silentLogger, type Logger } from '../../../src/logger.js';
import type { AdmissionRequest, ChangeEvent } from '../../../src/shared/observation.js';

const REQUEST: AdmissionRequest = {
  principal: 'p',
  sessionId: 's',
  frontDoor: 'stdio',
  method: 'tools/call',
};

describe('ObservationHub', () => {
  it('says nobody watches until a listener subscribes, and again once it left', () => {
    const hub = new ObservationHub(silentLogger);
    expect([hub.watchingCalls, hub.watchingChanges, hub.watchingSessions, hub.gated]).toEqual([
      false,
      false,
      false,
      false,
    ]);
    const stop = hub.onCall(() => undefined);
    expect(hub.watchingCalls).toBe(true);
    stop();
    expect(hub.watchingCalls).toBe(false);
  });

  it('reports a change of the pinning kind as the operator, and waits for the listeners', async () => {
    const hub = new ObservationHub(silentLogger);
    const heard: ChangeEvent[] = [];
    let written = false;
    hub.onChange(async (event) => {
      heard.push(event);
      await Promise.resolve();
      written = true;
    });
    await hub.reportChange({
      action: 'definition-changed',
      startedAt: 1,
      durationMs: 0,
      server: 'db',
      outcome: 'ok',
      errorCode: undefined,
      detail: { tool: 'query' },
    });
    expect(written).toBe(true);
    expect(heard).toEqual([
      expect.objectContaining({
        type: 'change',
        principal: 'operator',
        action: 'definition-changed',
        server: 'db',
      }),
    ]);
  });

  it("logs a listener that throws and goes on; a listener's rejection reaches the reporter", async () => {
    const errors: string[] = [];
    const logger: Logger = { ...silentLogger, error: (message) => void errors.push(message) };
    const hub = new ObservationHub(logger);
    const heard: string[] = [];
    hub.onChange(() => {
      throw new Error('bug');
    });
    hub.onChange((event) => void heard.push(event.action));
    hub.onChange(() => Promise.reject(new Error('cannot write')));
    const change = {
      action: 'approve',
      startedAt: 0,
      durationMs: 0,
      server: 'db',
      outcome: 'ok',
      errorCode: undefined,
      detail: undefined,
    } as const;
    await expect(hub.reportChange(change)).rejects.toThrow('cannot write');
    expect(heard).toEqual(['approve']);
    expect(errors).toEqual(['an observation listener failed']);
  });

  it('admits through every gate; a refusal releases what the gates before it held', () => {
    const hub = new ObservationHub(silentLogger);
    expect(hub.admit(REQUEST).admitted).toBe(true);
    let held = 0;
    hub.addGate({
      admit: () => {
        held += 1;
        return { admitted: true, release: () => (held -= 1) };
      },
    });
    const stopRefusing = hub.addGate({
      admit: () => ({ admitted: false, limit: 'x', error: new Error('no') }),
    });
    expect(hub.admit(REQUEST)).toMatchObject({ admitted: false, limit: 'x' });
    expect(held).toBe(0);
    stopRefusing();
    const admission = hub.admit(REQUEST);
    expect(held).toBe(1);
    if (admission.admitted) admission.release();
    expect(held).toBe(0);
  });

  it('traces only while a tracer is set; a second tracer replaces the first, whose removal then leaves it', () => {
    const hub = new ObservationHub(silentLogger);
    const span = { child: () => span, outgoingMeta: () => ({}), end: () => undefined };
    const first = { startRequest: () => span };
    const second = { startRequest: () => span };
    expect(hub.tracing).toBe(false);
    const removeFirst = hub.setTracer(first);
    expect(hub.tracer).toBe(first);
    const removeSecond = hub.setTracer(second);
    removeFirst();
    expect(hub.tracer).toBe(second);
    removeSecond();
    expect(hub.tracing).toBe(false);
  });
});
