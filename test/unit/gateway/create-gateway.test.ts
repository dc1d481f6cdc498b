/**
 * The gateway core built once, with sessions opened on it: what a backend asks during a call reaches the client
 * that made that call and no other, a directory serves one gateway, and closing the core ends its sessions.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { createRegistrationPolicy } from '../../../src/backends/registration/registration-policy.js';
import { createGateway } from '../../../src/gateway/create-gateway.js';
import { silentLogger } from '../../../src/logger.js';
import { PipelineCatalog } from '../../../src/pipelines/pipeline-catalog.js';
import { closeInMemoryGateways, connectInMemory } from '../../helpers/connect-in-memory.js';
import { FakeBackend, FakeDirectory, textResult } from '../../helpers/fake-directory.js';
import { textOf } from '../../helpers/text-of.js';

afterEach(closeInMemoryGateways);

/** A backend whose `ask` tool asks its client for a completion (as sampling backends do) and returns the answer. */
function samplingBackend(directory: FakeDirectory): FakeBackend {
  return new FakeBackend('llm', {
    tools: {
      ask: async (_args, options) => {
        const handler = directory.upwardHandler;
        if (!handler || !options?.signal) throw new Error('no gateway attached');
        const answer = await handler.request(
          'llm',
          { method: 'sampling/createMessage', params: { messages: [], maxTokens: 1 } },
          options.signal,
        );
        return textResult(JSON.stringify(answer));
      },
    },
  });
}

/** A client of `gateway` that answers sampling requests with its own name. */
async function samplingClient(
  directory: FakeDirectory,
  name: string,
  gateway?: ReturnType<typeof createGateway>,
) {
  const session = await connectInMemory(directory, {
    clientName: name,
    client: { capabilities: { sampling: {} } },
    ...(gateway ? { gateway } : {}),
  });
  session.client.setRequestHandler('sampling/createMessage', () => ({
    model: name,
    role: 'assistant',
    content: { type: 'text', text: `answered by ${name}` },
  }));
  return session;
}

describe('sessions on one core', () => {
  it("route a backend's sampling request to the client whose call it belongs to, never another", async () => {
    const directory = new FakeDirectory();
    directory.add(samplingBackend(directory));
    const a = await samplingClient(directory, 'client-A');
    const b = await samplingClient(directory, 'client-B', a.gateway);

    const fromA = await a.callTool('llm__ask');
    const fromB = await b.callTool('llm__ask');

    expect(JSON.parse(textOf(fromA))).toMatchObject({ model: 'client-A' });
    expect(JSON.parse(textOf(fromB))).toMatchObject({ model: 'client-B' });
  });

  it('keep the sessions apart after one of them closes', async () => {
    const directory = new FakeDirectory();
    directory.add(samplingBackend(directory));
    const a = await samplingClient(directory, 'client-A');
    const b = await samplingClient(directory, 'client-B', a.gateway);
    await a.client.close();

    const fromB = await b.callTool('llm__ask');

    expect(JSON.parse(textOf(fromB))).toMatchObject({ model: 'client-B' });
  });
});

describe('the core', () => {
  function build(directory: FakeDirectory) {
    return createGateway({
      directory,
      pipelines: new PipelineCatalog(),
      registration: createRegistrationPolicy({ enabled: true, logger: silentLogger }),
      baseDir: '/srv',
      logger: silentLogger,
    });
  }

  it('is the only gateway of its directory: a second one is refused until the first closes', async () => {
    const directory = new FakeDirectory();
    const first = build(directory);

    expect(() => build(directory)).toThrow('this directory already serves a gateway');
    await first.close();
    const second = build(directory);
    expect(directory.upwardHandler).toBeDefined();
    await second.close();
    expect(directory.upwardHandler).toBeUndefined();
  });

  it('ends its sessions when it closes, and opens no more', async () => {
    const directory = new FakeDirectory([new FakeBackend('echo', { tools: { echo: textResult('hi') } })]);
    const session = await connectInMemory(directory);
    let closed = false;
    session.client.onclose = () => (closed = true);

    await session.gateway.close();

    await expect.poll(() => closed).toBe(true);
    await expect(connectInMemory(directory, { gateway: session.gateway })).rejects.toThrow(
      'the gateway is closed',
    );
  });
});
