/**
 * The routing decisions of the session router, one by one: where a backend's own request goes (the caller of the
 * call in flight, the only session, or nowhere with a reason), where its notifications go, and who hears a change.
 */
import type { ClientCapabilities, ServerNotification, ServerRequest } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { GatewayError } from '../../../../src/errors/gateway-error.js';
import { AccessPolicy } from '../../../../src/gateway/access/access-policy.js';
import { SessionRouter } from '../../../../src/gateway/hub/session-router.js';
import type { AdvertisedCapabilities, SessionState } from '../../../../src/gateway/hub/session-state.js';
import { silentLogger } from '../../../../src/logger.js';
import type { CallerChannel } from '../../../../src/rpc/caller-channel.js';
import { deferred } from '../../../helpers/fake-directory.js';
import { caller } from '../../../helpers/recording-caller.js';
import { unobservedSession } from '../../../helpers/unobserved-session.js';

/** A session whose peer records what it is sent and answers requests with its own name. */
function session(
  name: string,
  options: {
    capabilities?: ClientCapabilities;
    advertised?: Partial<AdvertisedCapabilities>;
    listsBackendTools?: boolean;
  } = {},
) {
  const notified: ServerNotification[] = [];
  const requested: ServerRequest[] = [];
  const state: SessionState = {
    label: name,
    peer: {
      clientCapabilities: () => options.capabilities ?? { sampling: {}, elicitation: {}, roots: {} },
      notify: (notification) => {
        notified.push(notification);
        return Promise.resolve();
      },
      request: (request) => {
        requested.push(request);
        return Promise.resolve({ answeredBy: `${name} (session)` });
      },
    },
    advertised: {
      resources: false,
      prompts: false,
      logging: false,
      completions: false,
      tasks: false,
      ...options.advertised,
    },
    logLevel: undefined,
    subscriptions: new Set(),
    listsBackendTools: options.listsBackendTools ?? true,
    ...unobservedSession(name),
  };
  return { state, notified, requested };
}

const SAMPLING = { method: 'sampling/createMessage', params: { messages: [], maxTokens: 1 } };

/** Keeps a call to `backend` in flight until the returned function is called. */
function inFlight(router: SessionRouter, backend: string, state: SessionState, channel: CallerChannel) {
  const done = deferred();
  const call = router.track(backend, state, channel, () => done.promise);
  return async () => {
    done.resolve();
    await call;
  };
}

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  return error;
}

describe('a request a backend sends', () => {
  const signal = new AbortController().signal;

  it("goes on the stream of the call in flight to that backend, from the caller's session", async () => {
    const router = new SessionRouter(silentLogger);
    const a = session('a');
    const b = session('b');
    router.attach(a.state);
    router.attach(b.state);
    const end = inFlight(router, 'llm', b.state, caller('b').channel);

    await expect(router.routeRequest('llm', SAMPLING, signal)).resolves.toEqual({ answeredBy: 'b (call)' });
    await end();
  });

  it('goes to the only session when no call is in flight', async () => {
    const router = new SessionRouter(silentLogger);
    const only = session('only');
    router.attach(only.state);

    await expect(router.routeRequest('llm', SAMPLING, signal)).resolves.toEqual({
      answeredBy: 'only (session)',
    });
    expect(only.requested).toEqual([SAMPLING]);
  });

  it('is refused when no client is connected', async () => {
    const error = await rejection(new SessionRouter(silentLogger).routeRequest('llm', SAMPLING, signal));

    expect(error.code).toBe('no_session_for_request');
    expect(error.message).toBe(
      'the gateway cannot pass on sampling/createMessage: no client is connected to answer it',
    );
  });

  it('is refused, not guessed, when several sessions are connected and none has a call in flight', async () => {
    const router = new SessionRouter(silentLogger);
    router.attach(session('a').state);
    router.attach(session('b').state);

    const error = await rejection(router.routeRequest('llm', SAMPLING, signal));

    expect(error.message).toBe(
      'the gateway cannot pass on sampling/createMessage: 2 clients are connected, none with a call to "llm" in ' +
        'flight, and the request does not say which it is for',
    );
  });

  it('goes to the one capable client when calls from several sessions are in flight', async () => {
    const router = new SessionRouter(silentLogger);
    const unable = session('unable', { capabilities: {} });
    const able = session('able');
    router.attach(unable.state);
    router.attach(able.state);
    const endUnable = inFlight(router, 'llm', unable.state, caller('unable').channel);
    const endAble = inFlight(router, 'llm', able.state, caller('able').channel);

    await expect(router.routeRequest('llm', SAMPLING, signal)).resolves.toEqual({
      answeredBy: 'able (call)',
    });
    await endUnable();
    await endAble();
  });

  it('is refused when calls from several capable sessions are in flight: it does not say which it belongs to', async () => {
    const router = new SessionRouter(silentLogger);
    const a = session('a');
    const b = session('b');
    router.attach(a.state);
    router.attach(b.state);
    const endA = inFlight(router, 'llm', a.state, caller('a').channel);
    const endB = inFlight(router, 'llm', b.state, caller('b').channel);

    const error = await rejection(router.routeRequest('llm', SAMPLING, signal));

    expect(error.code).toBe('no_session_for_request');
    expect(error.message).toContain('calls from 2 clients to "llm" are in flight');
    await endA();
    await endB();
  });

  it('is refused with client_lacks_capability when the one client that could get it cannot answer it', async () => {
    const router = new SessionRouter(silentLogger);
    const unable = session('unable', { capabilities: { roots: {} } });
    router.attach(unable.state);
    const end = inFlight(router, 'llm', unable.state, caller('unable').channel);

    const error = await rejection(router.routeRequest('llm', SAMPLING, signal));

    expect(error.code).toBe('client_lacks_capability');
    expect(error.message).toBe(
      'backend "llm" asked the client for sampling (sampling/createMessage), but the client did not declare it ' +
        '(capability sampling)',
    );
    await end();
  });

  it('of a method the gateway does not know goes to the caller all the same: a proxy forwards it', async () => {
    const router = new SessionRouter(silentLogger);
    const a = session('a', { capabilities: {} });
    router.attach(a.state);
    const end = inFlight(router, 'llm', a.state, caller('a').channel);

    await expect(router.routeRequest('llm', { method: 'x/custom' }, signal)).resolves.toEqual({
      answeredBy: 'a (call)',
    });
    await end();
  });
});

describe('a notification a backend sends', () => {
  it("of a task's status that comes before the task is adopted, waits for it and goes only to its owner", async () => {
    const router = new SessionRouter(silentLogger);
    const owner = session('owner');
    const other = session('other');
    router.attach(owner.state);
    router.attach(other.state);

    // The backend sent the status before the result that created the task reached the gateway's call path.
    router.routeNotification('db', {
      method: 'notifications/tasks/status',
      params: { taskId: 't1', status: 'completed' },
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(owner.notified).toEqual([]);
    expect(other.notified).toEqual([]);

    expect(router.adoptTask(owner.state, 'db', 't1')).toBe('db.t1');
    // After the caller had its result: not before.
    expect(owner.notified).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(owner.notified).toEqual([
      { method: 'notifications/tasks/status', params: { taskId: 'db.t1', status: 'completed' } },
    ]);
    expect(other.notified).toEqual([]);
  });

  it("goes as a log message, named after the backend, to the callers' streams at the level each session set", async () => {
    const router = new SessionRouter(silentLogger);
    const quiet = session('quiet');
    const chatty = session('chatty');
    quiet.state.logLevel = 'error';
    router.attach(quiet.state);
    router.attach(chatty.state);

    router.routeNotification('db', {
      method: 'notifications/message',
      params: { level: 'info', data: 'hi' },
    });
    await Promise.resolve();

    expect(quiet.notified).toEqual([]);
    expect(chatty.notified).toEqual([
      { method: 'notifications/message', params: { level: 'info', data: 'hi', logger: 'db' } },
    ]);
  });

  it('goes to no session whose access rights hide the backend, nor tells it of changes to that backend', async () => {
    const router = new SessionRouter(silentLogger);
    const seeing = session('seeing', { advertised: { prompts: true } });
    const blind = session('blind', { advertised: { prompts: true } });
    const policy = new AccessPolicy({
      rules: [{ name: 'web-only', match: { principals: ['blind'] }, allow: { servers: ['web'] } }],
    });
    const identity = { principal: 'blind', frontDoor: 'http-legacy', sessionId: 'blind' } as const;
    const hidden: SessionState = { ...blind.state, identity, access: policy.forSession(identity) };
    router.attach(seeing.state);
    router.attach(hidden);

    router.routeNotification('db', {
      method: 'notifications/message',
      params: { level: 'info', data: 'rows' },
    });
    router.routeNotification('db', { method: 'notifications/prompts/list_changed' });
    router.announce({ toolsChanged: true, servers: new Set(['db']) });
    router.announce({ toolsChanged: true, servers: new Set(['web']) });
    await Promise.resolve();

    expect(seeing.notified.map((notification) => notification.method)).toEqual([
      'notifications/message',
      'notifications/prompts/list_changed',
      'notifications/tools/list_changed',
      'notifications/tools/list_changed',
    ]);
    expect(blind.notified.map((notification) => notification.method)).toEqual([
      'notifications/tools/list_changed',
    ]);
  });

  it('goes to the call in flight rather than to every session', async () => {
    const router = new SessionRouter(silentLogger);
    const a = session('a');
    const b = session('b');
    router.attach(a.state);
    router.attach(b.state);
    const call = caller('a');
    const end = inFlight(router, 'db', a.state, call.channel);

    router.routeNotification('db', { method: 'notifications/x', params: { n: 1 } });
    await Promise.resolve();

    expect(call.notified).toEqual([{ method: 'notifications/x', params: { n: 1 } }]);
    expect(a.notified).toEqual([]);
    expect(b.notified).toEqual([]);
    await end();
  });

  it('of a resource update reaches only the sessions subscribed to that URI', async () => {
    const router = new SessionRouter(silentLogger);
    const subscribed = session('subscribed');
    const other = session('other');
    subscribed.state.subscriptions.add('file:///a');
    router.attach(subscribed.state);
    router.attach(other.state);
    const update = { method: 'notifications/resources/updated', params: { uri: 'file:///a' } };

    router.routeNotification('files', update);
    await Promise.resolve();

    expect(subscribed.notified).toEqual([update]);
    expect(other.notified).toEqual([]);
  });

  it('of a list change reaches only the sessions that advertised that capability', async () => {
    const router = new SessionRouter(silentLogger);
    const withPrompts = session('p', { advertised: { prompts: true } });
    const without = session('n');
    router.attach(withPrompts.state);
    router.attach(without.state);

    router.routeNotification('x', { method: 'notifications/prompts/list_changed' });
    router.routeNotification('x', { method: 'notifications/resources/list_changed' });
    await Promise.resolve();

    expect(withPrompts.notified).toEqual([{ method: 'notifications/prompts/list_changed' }]);
    expect(without.notified).toEqual([]);
  });
});

describe('a catalog change', () => {
  it('tells the sessions whose lists changed, and no other', async () => {
    const router = new SessionRouter(silentLogger);
    const all = session('all', { advertised: { prompts: true, resources: true } });
    const gatewayOnly = session('gateway-only', { listsBackendTools: false });
    const detached = session('detached');
    router.attach(all.state);
    router.attach(gatewayOnly.state);
    router.attach(detached.state);
    router.detach(detached.state);

    router.announce({ toolsChanged: true });
    router.announce({ membershipChanged: true });
    router.announce({ gatewayToolsChanged: true });
    await Promise.resolve();

    expect(all.notified.map((notification) => notification.method)).toEqual([
      'notifications/tools/list_changed',
      'notifications/prompts/list_changed',
      'notifications/resources/list_changed',
      'notifications/tools/list_changed',
    ]);
    expect(gatewayOnly.notified.map((notification) => notification.method)).toEqual([
      'notifications/tools/list_changed',
    ]);
    expect(detached.notified).toEqual([]);
  });
});
