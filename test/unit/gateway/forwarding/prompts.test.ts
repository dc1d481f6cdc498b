/**
 * Prompts across backends, through a real SDK client over an in-memory transport: listed under exposed names,
 * fetched from the backend a name stands for, under the backend's own name.
 */
import { describe, expect, it } from 'vitest';

import { ProtocolError } from '../../../../src/errors/protocol-error.js';
import { useInMemorySession } from '../../../helpers/connect-in-memory.js';
import { FakeDirectory } from '../../../helpers/fake-directory.js';
import { methodsOf, promptBackend } from '../../../helpers/fake-resources.js';
import { rpcErrorOf } from '../../../helpers/rpc-error.js';

const { connect } = useInMemorySession();

const DRAFT = { name: 'draft', description: 'Drafts a text', arguments: [{ name: 'topic', required: true }] };

describe('prompts/list', () => {
  it('lists every backend prompt under <prefix>__<name>, definitions unchanged, in registration order', async () => {
    const writer = promptBackend('writer', [DRAFT, { name: 'summary' }]);
    const reviewer = promptBackend('reviewer', [{ name: 'summary', description: 'Reviews a summary' }]);
    const bare = promptBackend('bare', [{ name: 'hello' }], { prefix: '' });
    const client = await connect(new FakeDirectory([writer, reviewer, bare]));

    const { prompts } = await client.listPrompts();

    expect(prompts).toEqual([
      { ...DRAFT, name: 'writer__draft' },
      { name: 'writer__summary' },
      { name: 'reviewer__summary', description: 'Reviews a summary' },
      { name: 'hello' },
    ]);
  });

  it('leaves out a backend whose list fails, and lists the others', async () => {
    const broken = promptBackend('broken', [], {
      requests: {
        'prompts/list': () => {
          throw new ProtocolError(-32603, 'no prompts today');
        },
      },
    });
    const writer = promptBackend('writer', [DRAFT]);
    const client = await connect(new FakeDirectory([broken, writer]));

    const { prompts } = await client.listPrompts();

    expect(prompts.map((prompt) => prompt.name)).toEqual(['writer__draft']);
  });
});

describe('prompts/get', () => {
  it('asks the backend the exposed name stands for, under its own name, with the arguments unchanged', async () => {
    const writer = promptBackend('writer', [DRAFT]);
    const reviewer = promptBackend('reviewer', [DRAFT]);
    const client = await connect(new FakeDirectory([writer, reviewer]));
    await client.listPrompts();

    const got = await client.getPrompt({ name: 'reviewer__draft', arguments: { topic: 'gateways' } });

    expect(got).toEqual({
      description: 'draft of reviewer',
      messages: [{ role: 'user', content: { type: 'text', text: 'draft {"topic":"gateways"}' } }],
    });
    expect(reviewer.requests.at(-1)).toMatchObject({
      method: 'prompts/get',
      params: { name: 'draft', arguments: { topic: 'gateways' } },
    });
    expect(methodsOf(writer)).toEqual(['prompts/list']);
  });

  it('lists the prompts first when the name is not known yet', async () => {
    const writer = promptBackend('writer', [DRAFT]);
    const client = await connect(new FakeDirectory([writer]));

    const got = await client.getPrompt({ name: 'writer__draft', arguments: { topic: 'first' } });

    expect(got.description).toBe('draft of writer');
    expect(methodsOf(writer)).toEqual(['prompts/list', 'prompts/get']);
  });

  it("passes a backend's own error on as the backend sent it", async () => {
    const strict = promptBackend('strict', [DRAFT], {
      requests: {
        'prompts/get': () => {
          throw new ProtocolError(-32602, 'topic is required', { argument: 'topic' });
        },
      },
    });
    const client = await connect(new FakeDirectory([strict]));

    const error = await rpcErrorOf(client.getPrompt({ name: 'strict__draft' }));

    expect(error).toEqual({
      code: -32602,
      message: 'topic is required',
      data: { argument: 'topic' },
    });
  });
});
