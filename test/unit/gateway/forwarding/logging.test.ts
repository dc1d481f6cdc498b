/**
 * What a client tells every backend (`logging/setLevel`, its roots changing) and the backends' log messages coming
 * back, through real SDK clients over in-memory transports: backends are shared, so each session filters by its
 * own level, and a message sent during a call goes to that call's client only.
 */
import type { LoggingLevel } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';

import {
  closeInMemoryGateways,
  connectInMemory,
  type InMemoryGateway,
} from '../../../helpers/connect-in-memory.js';
import {
  FakeBackend,
  FakeDirectory,
  textResult,
  type FakeBackendOptions,
} from '../../../helpers/fake-directory.js';
import { waitFor } from '../../../helpers/wait-for.js';

afterEach(closeInMemoryGateways);

const LOGGING = { tools: {}, logging: {} };

/** A backend with logging, which accepts any level. */
function loggingBackend(name: string, tools: FakeBackendOptions['tools'] = {}): FakeBackend {
  return new FakeBackend(name, {
    capabilities: LOGGING,
    tools,
    requests: { 'logging/setLevel': () => ({}) },
  });
}

/** Collects the log messages a session receives, `[level, logger, data]` each. */
function collectLogs(session: InMemoryGateway): [string, unknown, unknown][] {
  const logs: [string, unknown, unknown][] = [];
  session.client.setNotificationHandler('notifications/message', (notification) => {
    const { level, logger, data } = notification.params;
    logs.push([level, logger, data]);
  });
  return logs;
}

/** Sends a log message from `backend` as it would on its own. */
function log(backend: FakeBackend, level: LoggingLevel, data: string): void {
  backend.sendNotification({ method: 'notifications/message', params: { level, data } });
}

describe('logging/setLevel', () => {
  it('is sent to every ready backend with logging, and to no other', async () => {
    const alpha = loggingBackend('alpha');
    const beta = loggingBackend('beta');
    const plain = new FakeBackend('plain', { tools: { noop: textResult('') } });
    const { client } = await connectInMemory(new FakeDirectory([alpha, beta, plain]));

    await client.setLoggingLevel('warning');

    const setLevel = { method: 'logging/setLevel', params: { level: 'warning' } };
    expect(alpha.requests).toMatchObject([setLevel]);
    expect(beta.requests).toMatchObject([setLevel]);
    expect(plain.requests).toEqual([]);
  });

  it('succeeds even when a backend refuses it', async () => {
    const refusing = new FakeBackend('refusing', { capabilities: LOGGING });
    const { client } = await connectInMemory(new FakeDirectory([refusing]));

    await expect(client.setLoggingLevel('error')).resolves.toEqual({});
  });
});

describe('backend log messages', () => {
  it('reach each session at or above its own level, the backend named as logger', async () => {
    const alpha = loggingBackend('alpha');
    const directory = new FakeDirectory([alpha]);
    const quiet = await connectInMemory(directory);
    const chatty = await connectInMemory(directory, { gateway: quiet.gateway });
    const unset = await connectInMemory(directory, { gateway: quiet.gateway });
    await quiet.client.setLoggingLevel('warning');
    await chatty.client.setLoggingLevel('debug');
    const logs = { quiet: collectLogs(quiet), chatty: collectLogs(chatty), unset: collectLogs(unset) };

    log(alpha, 'debug', 'details');
    log(alpha, 'warning', 'disk almost full');
    log(alpha, 'error', 'disk full');
    await waitFor(() => Object.values(logs).every((received) => received.at(-1)?.[2] === 'disk full'), {
      description: 'the last message in every session',
    });

    expect(logs.quiet).toEqual([
      ['warning', 'alpha', 'disk almost full'],
      ['error', 'alpha', 'disk full'],
    ]);
    expect(logs.chatty).toEqual([
      ['debug', 'alpha', 'details'],
      ['warning', 'alpha', 'disk almost full'],
      ['error', 'alpha', 'disk full'],
    ]);
    expect(logs.unset).toEqual(logs.chatty);
  });

  it('sent during a call reach the client of that call only, and afterwards every session again', async () => {
    const alpha = loggingBackend('alpha', {
      work: () => {
        log(alpha, 'info', 'working for the caller');
        return textResult('worked');
      },
    });
    const directory = new FakeDirectory([alpha]);
    const caller = await connectInMemory(directory);
    const other = await connectInMemory(directory, { gateway: caller.gateway });
    const logs = { caller: collectLogs(caller), other: collectLogs(other) };

    await caller.callTool('alpha__work');
    log(alpha, 'info', 'to everyone');
    await waitFor(() => logs.caller.length === 2 && logs.other.length === 1, {
      description: 'the messages to arrive',
    });

    expect(logs).toEqual({
      caller: [
        ['info', 'alpha', 'working for the caller'],
        ['info', 'alpha', 'to everyone'],
      ],
      other: [['info', 'alpha', 'to everyone']],
    });
  });
});

describe("the client's roots", () => {
  it('changing is told to every ready backend', async () => {
    const alpha = new FakeBackend('alpha');
    const beta = loggingBackend('beta');
    const starting = new FakeBackend('starting', { state: 'starting' });
    const { client } = await connectInMemory(new FakeDirectory([alpha, beta, starting]), {
      client: { capabilities: { roots: { listChanged: true } } },
    });

    await client.sendRootsListChanged();

    const told = [{ method: 'notifications/roots/list_changed' }];
    await expect.poll(() => alpha.notifications).toEqual(told);
    await expect.poll(() => beta.notifications).toEqual(told);
    expect(starting.notifications).toEqual([]);
  });
});
