/**
 * What comes over a principal's own connection to a backend (`oauth.perPrincipal`) reaches that principal's sessions
 * only: its requests go to the principal's call in flight (never another principal's, even when that one is the
 * only call), its notifications to the principal's sessions, and nowhere when the principal has none.
 */
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { AccessPolicy } from '../../../../src/gateway/access/access-policy.js';
import { SessionRouter } from '../../../../src/gateway/hub/session-router.js';
import type { SessionState } from '../../../../src/gateway/hub/session-state.js';
import { silentLogger } from '../../../../src/logger.js';
import { deferred } from '../../../helpers/fake-directory.js';
import { caller } from '../../../helpers/recording-caller.js';
import { unobservedSession } from '../../../helpers/unobserved-session.js';

/** A session of `principal` over HTTP whose peer records what it is sent. */
function session(name: string, principal: string) {
  const notified: ServerNotification[] = [];
  const requested: ServerRequest[] = [];
  const identity = { principal, frontDoor: 'http-legacy', sessionId: name } as const;
  const state: SessionState = {
    label: name,
    peer: {
      clientCapabilities: () => ({ elicitation: { url: {} }, sampling: {} }),
      notify: (notification) => {
        notified.push(notification);
        return Promise.resolve();
      },
      request: (request) => {
        requested.push(request);
        return Promise.resolve({ answeredBy: name });
      },
    },
    advertised: { resources: true, prompts: true, logging: true, completions: false, tasks: false },
    logLevel: undefined,
    subscriptions: new Set(['file:///shared']),
    listsBackendTools: true,
    ...unobservedSession(name),
    identity,
    access: new AccessPolicy(undefined).forSession(identity),
  };
  return { state, notified, requested };
}

const SAMPLING = { method: 'sampling/createMessage', params: { messages: [], maxTokens: 1 } };
const LOG = { method: 'notifications/message', params: { level: 'info', data: 'hello' } };
const UPDATED = { method: 'notifications/resources/updated', params: { uri: 'file:///shared' } };

describe("what a principal's own connection sends", () => {
  const signal = new AbortController().signal;

  it("asks the principal's call in flight, never another principal's", async () => {
    const router = new SessionRouter(silentLogger);
    const alice = session('alice-1', 'alice');
    const bob = session('bob-1', 'bob');
    router.attach(alice.state);
    router.attach(bob.state);
    const aliceCall = deferred();
    const bobCall = deferred();
    const calls = [
      router.track('remote', alice.state, caller('alice').channel, () => aliceCall.promise),
      router.track('remote', bob.state, caller('bob').channel, () => bobCall.promise),
    ];
    await expect(router.routeRequest('remote', SAMPLING, signal, 'bob')).resolves.toEqual({
      answeredBy: 'bob (call)',
    });
    await expect(router.routeRequest('remote', SAMPLING, signal, 'alice')).resolves.toEqual({
      answeredBy: 'alice (call)',
    });
    aliceCall.resolve();
    bobCall.resolve();
    await Promise.all(calls);
  });

  it("is refused rather than sent to the only session when that session is another principal's", async () => {
    const router = new SessionRouter(silentLogger);
    const alice = session('alice-1', 'alice');
    router.attach(alice.state);
    const error = await router
      .routeRequest('remote', SAMPLING, signal, 'bob')
      .catch((reason: Error) => reason);
    expect((error as Error).message).toContain('no client is connected');
    expect(alice.requested).toEqual([]);
    // Of no principal's connection, the only session is asked as before.
    await expect(router.routeRequest('remote', SAMPLING, signal)).resolves.toEqual({ answeredBy: 'alice-1' });
  });

  it("reaches the principal's sessions only: log lines, resource updates, list changes", () => {
    const router = new SessionRouter(silentLogger);
    const alice = session('alice-1', 'alice');
    const alice2 = session('alice-2', 'alice');
    const bob = session('bob-1', 'bob');
    for (const each of [alice, alice2, bob]) router.attach(each.state);
    router.routeNotification('remote', LOG, 'alice');
    router.routeNotification('remote', UPDATED, 'alice');
    router.routeNotification('remote', { method: 'notifications/prompts/list_changed' }, 'alice');
    const methods = (notified: ServerNotification[]) => notified.map((notification) => notification.method);
    const expected = [
      'notifications/message',
      'notifications/resources/updated',
      'notifications/prompts/list_changed',
    ];
    expect(methods(alice.notified)).toEqual(expected);
    expect(methods(alice2.notified)).toEqual(expected);
    expect(bob.notified).toEqual([]);
    // Of no principal's connection, everyone concerned hears it.
    router.routeNotification('remote', UPDATED);
    expect(methods(bob.notified)).toEqual(['notifications/resources/updated']);
  });

  it("goes on the principal's call in flight, not on another principal's", async () => {
    const router = new SessionRouter(silentLogger);
    const alice = session('alice-1', 'alice');
    const bob = session('bob-1', 'bob');
    router.attach(alice.state);
    router.attach(bob.state);
    const aliceCaller = caller('alice');
    const bobCaller = caller('bob');
    const done = deferred();
    const calls = [
      router.track('remote', alice.state, aliceCaller.channel, () => done.promise),
      router.track('remote', bob.state, bobCaller.channel, () => done.promise),
    ];
    router.routeNotification('remote', LOG, 'bob');
    expect(bobCaller.notified.map((notification) => notification.method)).toEqual(['notifications/message']);
    expect(aliceCaller.notified).toEqual([]);
    done.resolve();
    await Promise.all(calls);
  });
});
