/**
 * URL-mode elicitation through the gateway, with real SDK clients over in-memory transports: the request reaches a
 * client that declared `elicitation.url`, is refused (with the reason) for one that declared only form mode, and
 * the backend's `notifications/elicitation/complete` reaches the client that was asked and no other, also after a
 * URLElicitationRequired error (-32042) ended its call.
 */
import type { ElicitResult } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';

import { plainMessage, ProtocolError } from '../../../../src/errors/protocol-error.js';
import {
  closeInMemoryGateways,
  connectInMemory,
  type InMemoryGateway,
} from '../../../helpers/connect-in-memory.js';
import { deferred, FakeBackend, FakeDirectory, textResult } from '../../../helpers/fake-directory.js';
import { onlyText } from '../../../helpers/text-of.js';

afterEach(closeInMemoryGateways);

const SIGN_IN = {
  method: 'elicitation/create',
  params: {
    mode: 'url',
    elicitationId: 'sign-in-1',
    url: 'https://auth.example.test/sign-in',
    message: 'Sign in to continue',
  },
};
const COMPLETE = { method: 'notifications/elicitation/complete', params: { elicitationId: 'sign-in-1' } };

/** A backend whose `login` asks its client to visit a URL and returns the client's action, or the refusal. */
function authBackend(): FakeBackend {
  const auth: FakeBackend = new FakeBackend('auth', {
    tools: {
      login: async (_args, options) => {
        try {
          const answer = (await auth.sendRequest(SIGN_IN, options?.signal)) as ElicitResult;
          return textResult(answer.action);
        } catch (error) {
          return textResult(`refused: ${plainMessage(error)}`);
        }
      },
      // Says in its error that the user must visit a URL first (URLElicitationRequired, 2025-11-25).
      fetch_private: () => {
        throw new ProtocolError(-32042, 'This request requires more information.', {
          elicitations: [{ ...SIGN_IN.params, elicitationId: 'sign-in-2' }],
        });
      },
    },
  });
  return auth;
}

/** Records the elicitation completions `session`'s client hears; resolves `heard` on the first. */
function listen(session: InMemoryGateway) {
  const completions: unknown[] = [];
  const heard = deferred();
  session.client.setNotificationHandler('notifications/elicitation/complete', (notification) => {
    completions.push(notification.params);
    heard.resolve();
  });
  return { completions, heard: heard.promise };
}

const URL_MODE = { client: { capabilities: { elicitation: { form: {}, url: {} } } } };

describe('a URL-mode elicitation of a backend', () => {
  it('reaches a client that declared URL mode, and its completion reaches that client only', async () => {
    const auth = authBackend();
    const directory = new FakeDirectory([auth]);
    const asked = await connectInMemory(directory, URL_MODE);
    const other = await connectInMemory(directory, { ...URL_MODE, gateway: asked.gateway });
    const requests: unknown[] = [];
    asked.client.setRequestHandler('elicitation/create', (request) => {
      requests.push(request.params);
      return { action: 'accept' };
    });
    const askedHears = listen(asked);
    const otherHears = listen(other);

    const result = await asked.callTool('auth__login');
    auth.sendNotification(COMPLETE);
    await askedHears.heard;
    // A round trip on the other connection: anything sent to it before has arrived by then.
    await other.client.ping();

    expect(onlyText(result)).toBe('accept');
    expect(requests).toEqual([SIGN_IN.params]);
    expect(askedHears.completions).toEqual([COMPLETE.params]);
    expect(otherHears.completions).toEqual([]);
  });

  it('is refused, with the reason, for a client that declared form mode only (elicitation: {})', async () => {
    const session = await connectInMemory(new FakeDirectory([authBackend()]), {
      client: { capabilities: { elicitation: {} } },
    });

    const result = await session.callTool('auth__login');

    expect(onlyText(result)).toBe(
      'refused: backend "auth" asked the client for URL-mode elicitation (elicitation/create), but the client ' +
        'did not declare it (capability elicitation.url)',
    );
  });

  it('announced in a -32042 error completes at the client that got the error', async () => {
    const auth = authBackend();
    const directory = new FakeDirectory([auth]);
    const asked = await connectInMemory(directory, URL_MODE);
    const other = await connectInMemory(directory, { ...URL_MODE, gateway: asked.gateway });
    const askedHears = listen(asked);
    const otherHears = listen(other);

    const error = await asked.callTool('auth__fetch_private').then(
      () => undefined,
      (reason: unknown) => reason as { code?: number; data?: unknown },
    );
    auth.sendNotification({ ...COMPLETE, params: { elicitationId: 'sign-in-2' } });
    await askedHears.heard;
    await other.client.ping();

    expect(error?.code).toBe(-32042);
    expect(askedHears.completions).toEqual([{ elicitationId: 'sign-in-2' }]);
    expect(otherHears.completions).toEqual([]);
  });
});
