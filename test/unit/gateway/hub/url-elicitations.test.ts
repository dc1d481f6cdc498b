/**
 * The session router with sub-capabilities: a backend's URL-mode elicitation or sampling with tools goes only to a
 * client that declared it, and `notifications/elicitation/complete` reaches the client that was asked to visit the
 * URL (by the request or by a -32042 error), whether or not its call is still in flight, and no other client.
 */
import type { ClientCapabilities, ServerNotification } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { GatewayError } from '../../../../src/errors/gateway-error.js';
import { ProtocolError } from '../../../../src/errors/protocol-error.js';
import { SessionRouter } from '../../../../src/gateway/hub/session-router.js';
import type { SessionState } from '../../../../src/gateway/hub/session-state.js';
import { silentLogger } from '../../../../src/logger.js';
import type { CallerChannel } from '../../../../src/rpc/caller-channel.js';
import { deferred } from '../../../helpers/fake-directory.js';
import { unobservedSession } from '../../../helpers/unobserved-session.js';

const URL_MODE = { elicitation: { url: {} } } satisfies ClientCapabilities;
const FORM_ONLY = { elicitation: {} } satisfies ClientCapabilities;

/** A session whose peer and one call channel record what they are sent. */
function client(name: string, capabilities: ClientCapabilities) {
  const notified: ServerNotification[] = [];
  const onCall: ServerNotification[] = [];
  const record =
    (into: ServerNotification[]) =>
    (notification: ServerNotification): Promise<void> => {
      into.push(notification);
      return Promise.resolve();
    };
  const state: SessionState = {
    label: name,
    peer: {
      clientCapabilities: () => capabilities,
      notify: record(notified),
      request: () => Promise.resolve({ answeredBy: name }),
    },
    advertised: { resources: false, prompts: false, logging: false, completions: false, tasks: false },
    logLevel: undefined,
    subscriptions: new Set(),
    listsBackendTools: true,
    ...unobservedSession(name),
  };
  const channel: CallerChannel = {
    signal: new AbortController().signal,
    sendRequest: () => Promise.resolve({ answeredBy: `${name} (call)` }),
    sendNotification: record(onCall),
  };
  return { state, channel, notified, onCall };
}

type Client = ReturnType<typeof client>;

/** Runs a call of `who` to `backend` until the returned function settles it (with `failure`, if given). */
function callOf(router: SessionRouter, backend: string, who: Client) {
  const done = deferred();
  const call = router.track(backend, who.state, who.channel, () => done.promise).catch(() => undefined);
  return async (failure?: unknown) => {
    if (failure === undefined) done.resolve();
    else done.reject(failure);
    await call;
  };
}

function routerWith(...clients: Client[]): SessionRouter {
  const router = new SessionRouter(silentLogger);
  for (const each of clients) router.attach(each.state);
  return router;
}

const signal = new AbortController().signal;
const URL_REQUEST = {
  method: 'elicitation/create',
  params: { mode: 'url', elicitationId: 'e-1', url: 'https://auth.example.test/x', message: 'Sign in' },
};
const COMPLETE = { method: 'notifications/elicitation/complete', params: { elicitationId: 'e-1' } };

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  return error;
}

describe('a request that needs a sub-capability', () => {
  it('is refused, naming the backend, what it asked and the capability, when the caller did not declare it', async () => {
    const formOnly = client('form-only', FORM_ONLY);
    const router = routerWith(formOnly);
    const end = callOf(router, 'auth', formOnly);

    const error = await refusal(router.routeRequest('auth', URL_REQUEST, signal));
    const sampling = await refusal(
      router.routeRequest(
        'auth',
        { method: 'sampling/createMessage', params: { messages: [], maxTokens: 1, tools: [] } },
        signal,
      ),
    );
    await end();

    expect(error.code).toBe('client_lacks_capability');
    expect(error.message).toBe(
      'backend "auth" asked the client for URL-mode elicitation (elicitation/create), but the client did not ' +
        'declare it (capability elicitation.url)',
    );
    expect(sampling.message).toBe(
      'backend "auth" asked the client for sampling with tools (sampling/createMessage), but the client did not ' +
        'declare it (capability sampling.tools)',
    );
  });

  it('goes to the one caller that declared it when calls from several clients are in flight', async () => {
    const formOnly = client('form-only', FORM_ONLY);
    const urlMode = client('url-mode', URL_MODE);
    const router = routerWith(formOnly, urlMode);
    const endForm = callOf(router, 'auth', formOnly);
    const endUrl = callOf(router, 'auth', urlMode);

    await expect(router.routeRequest('auth', URL_REQUEST, signal)).resolves.toEqual({
      answeredBy: 'url-mode (call)',
    });
    await endForm();
    await endUrl();
  });

  it('is refused with what none of the callers declared when no caller can answer it', async () => {
    const a = client('a', FORM_ONLY);
    const b = client('b', FORM_ONLY);
    const router = routerWith(a, b);
    const endA = callOf(router, 'auth', a);
    const endB = callOf(router, 'auth', b);

    const error = await refusal(router.routeRequest('auth', URL_REQUEST, signal));
    await endA();
    await endB();

    expect(error.message).toBe(
      'the gateway cannot pass on elicitation/create: no client with a call in flight to "auth" declared URL-mode ' +
        'elicitation (capability elicitation.url)',
    );
  });
});

describe('the completion of a URL-mode elicitation', () => {
  it('reaches the client that was asked, on its call while it runs, and on its session after', async () => {
    const asked = client('asked', URL_MODE);
    const other = client('other', URL_MODE);
    const router = routerWith(asked, other);
    const end = callOf(router, 'auth', asked);
    await router.routeRequest('auth', URL_REQUEST, signal);

    router.routeNotification('auth', COMPLETE);
    await router.routeRequest(
      'auth',
      { ...URL_REQUEST, params: { ...URL_REQUEST.params, elicitationId: 'e-2' } },
      signal,
    );
    await end();
    router.routeNotification('auth', { ...COMPLETE, params: { elicitationId: 'e-2' } });
    await Promise.resolve();

    expect(asked.onCall).toEqual([COMPLETE]);
    expect(asked.notified).toEqual([{ ...COMPLETE, params: { elicitationId: 'e-2' } }]);
    expect([...other.notified, ...other.onCall]).toEqual([]);
  });

  it('reaches the client whose call failed with URLElicitationRequired (-32042), after the call ended', async () => {
    const asked = client('asked', URL_MODE);
    const other = client('other', URL_MODE);
    const router = routerWith(asked, other);
    const end = callOf(router, 'auth', asked);
    const required = new ProtocolError(-32042, 'URL elicitation required', {
      elicitations: [
        { mode: 'url', elicitationId: 'e-9', url: 'https://auth.example.test/9', message: 'Sign in' },
      ],
    });
    await end(new GatewayError('backend_error', 'auth.login failed', { backend: 'auth', cause: required }));

    router.routeNotification('auth', { ...COMPLETE, params: { elicitationId: 'e-9' } });
    await Promise.resolve();

    expect(asked.notified).toEqual([{ ...COMPLETE, params: { elicitationId: 'e-9' } }]);
    expect(other.notified).toEqual([]);
  });

  it('reaches no one when its id was never passed on, or its client closed', async () => {
    const asked = client('asked', URL_MODE);
    const other = client('other', URL_MODE);
    const router = routerWith(asked, other);
    const end = callOf(router, 'auth', asked);
    await router.routeRequest('auth', URL_REQUEST, signal);
    await end();

    router.routeNotification('auth', { ...COMPLETE, params: { elicitationId: 'never-seen' } });
    router.detach(asked.state);
    router.routeNotification('auth', COMPLETE);
    await Promise.resolve();

    expect([...asked.notified, ...other.notified]).toEqual([]);
  });

  it('reaches no client that did not declare URL mode, even the one whose call failed with -32042', async () => {
    const formOnly = client('form-only', FORM_ONLY);
    const router = routerWith(formOnly);
    const end = callOf(router, 'auth', formOnly);
    const required = new ProtocolError(-32042, 'URL elicitation required', {
      elicitations: [
        { mode: 'url', elicitationId: 'e-1', url: 'https://auth.example.test/1', message: 'Sign in' },
      ],
    });
    await end(new GatewayError('backend_error', 'auth.login failed', { backend: 'auth', cause: required }));

    router.routeNotification('auth', COMPLETE);
    await Promise.resolve();

    expect(formOnly.notified).toEqual([]);
  });
});
