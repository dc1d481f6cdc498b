/**
 * Requests a backend sends to its client (sampling, elicitation, roots), through real SDK clients over in-memory
 * transports: each goes to the session whose call to that backend is in flight, or to the only session, and never
 * to a guess; the backend gets an error it can read instead.
 */
import type { CreateMessageResult } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';

import { createRegistrationPolicy } from '../../../../src/backends/registration/registration-policy.js';
import { plainMessage } from '../../../../src/errors/protocol-error.js';
import { createGateway } from '../../../../src/gateway/create-gateway.js';
import { silentLogger } from '../../../../src/logger.js';
import { PipelineCatalog } from '../../../../src/pipelines/pipeline-catalog.js';
import {
  closeInMemoryGateways,
  connectInMemory,
  IN_MEMORY_BASE_DIR,
  type InMemoryGateway,
} from '../../../helpers/connect-in-memory.js';
import { deferred, FakeBackend, FakeDirectory, textResult } from '../../../helpers/fake-directory.js';
import { onlyText } from '../../../helpers/text-of.js';

afterEach(closeInMemoryGateways);

const SAMPLE = {
  method: 'sampling/createMessage',
  params: { messages: [{ role: 'user', content: { type: 'text', text: 'hello?' } }], maxTokens: 5 },
};

/** A backend whose tool `ask` sends {@link SAMPLE} upward and returns the answer's text, or the failure's. */
function askingBackend(): FakeBackend {
  const backend: FakeBackend = new FakeBackend('asker', {
    tools: {
      ask: async (_args, options) => {
        try {
          const answer = (await backend.sendRequest(SAMPLE, options?.signal)) as CreateMessageResult;
          return textResult(answer.content.type === 'text' ? answer.content.text : answer.content.type);
        } catch (error) {
          return textResult(`refused: ${plainMessage(error)}`);
        }
      },
    },
  });
  return backend;
}

/** Makes `session` answer sampling requests with a text naming `label`, and records that it was asked. */
function answerSampling(session: InMemoryGateway, label: string, asked: string[]): void {
  session.client.setRequestHandler('sampling/createMessage', () => {
    asked.push(label);
    return {
      role: 'assistant',
      content: { type: 'text', text: `answer from ${label}` },
      model: 'test-model',
    };
  });
}

describe('a sampling request of a backend', () => {
  it('goes to the session whose call is in flight, never another', async () => {
    const asker = askingBackend();
    const directory = new FakeDirectory([asker]);
    const sampling = { client: { capabilities: { sampling: {} } } };
    const first = await connectInMemory(directory, sampling);
    const second = await connectInMemory(directory, { ...sampling, gateway: first.gateway });
    const asked: string[] = [];
    answerSampling(first, 'first', asked);
    answerSampling(second, 'second', asked);

    const fromSecond = await second.callTool('asker__ask');
    const fromFirst = await first.callTool('asker__ask');

    expect([onlyText(fromSecond), onlyText(fromFirst)]).toEqual(['answer from second', 'answer from first']);
    expect(asked).toEqual(['second', 'first']);
  });

  it('is refused with a reason when the calling client cannot sample', async () => {
    const asker = askingBackend();
    const session = await connectInMemory(new FakeDirectory([asker]));

    const result = await session.callTool('asker__ask');

    expect(onlyText(result)).toBe(
      'refused: backend "asker" asked the client for sampling (sampling/createMessage), but the client did not ' +
        'declare it (capability sampling)',
    );
  });

  it('is refused when calls from two clients are in flight and it does not say which it belongs to', async () => {
    let waiting = 0;
    const bothWaiting = deferred();
    const release = deferred();
    const asker = new FakeBackend('asker', {
      tools: {
        wait: async () => {
          waiting += 1;
          if (waiting === 2) bothWaiting.resolve();
          await release.promise;
          return textResult('done');
        },
      },
    });
    const directory = new FakeDirectory([asker]);
    const sampling = { client: { capabilities: { sampling: {} } } };
    const first = await connectInMemory(directory, sampling);
    const second = await connectInMemory(directory, { ...sampling, gateway: first.gateway });
    const calls = [first.callTool('asker__wait'), second.callTool('asker__wait')];
    await bothWaiting.promise;

    const refusal = await asker.sendRequest(SAMPLE).then(
      () => 'answered',
      (error: unknown) => plainMessage(error),
    );
    release.resolve();
    await Promise.all(calls);

    expect(refusal).toBe(
      'the gateway cannot pass on sampling/createMessage: calls from 2 clients to "asker" are in flight and the ' +
        'request does not say which it belongs to',
    );
  });
});

describe('a roots request of a backend with no call in flight', () => {
  it('goes to the only session, whose answer comes back unchanged', async () => {
    const backend = new FakeBackend('files');
    const session = await connectInMemory(new FakeDirectory([backend]), {
      client: { capabilities: { roots: {} } },
    });
    session.client.setRequestHandler('roots/list', () => ({
      roots: [{ uri: 'file:///work', name: 'work' }],
    }));

    const answer = await backend.sendRequest({ method: 'roots/list' });

    expect(answer).toEqual({ roots: [{ uri: 'file:///work', name: 'work' }] });
  });

  it('is refused when no client is connected', async () => {
    const backend = new FakeBackend('files');
    const gateway = createGateway({
      directory: new FakeDirectory([backend]),
      pipelines: new PipelineCatalog(),
      registration: createRegistrationPolicy({ enabled: false, logger: silentLogger }),
      baseDir: IN_MEMORY_BASE_DIR,
      logger: silentLogger,
    });

    const refusal = await backend.sendRequest({ method: 'roots/list' }).then(
      () => 'answered',
      (error: unknown) => plainMessage(error),
    );

    await gateway.close();

    expect(refusal).toBe('the gateway cannot pass on roots/list: no client is connected to answer it');
  });
});
