/**
 * Failures of forwarded requests that the gateway itself detects (no backend for a URI, no such prompt), as the
 * client receives them, and the resources of a backend once another that listed the same URI is gone. These tests
 * fail on the code they were written against: see the report of the branch that added them.
 */
import { describe, expect, it } from 'vitest';

import { useInMemorySession } from '../../../helpers/connect-in-memory.js';
import { FakeDirectory } from '../../../helpers/fake-directory.js';
import { promptBackend, resource, resourceBackend } from '../../../helpers/fake-resources.js';
import { rpcErrorOf } from '../../../helpers/rpc-error.js';

const { connect } = useInMemorySession();

/** Two backends with resources, neither of which has `x://nowhere`. */
function twoResourceBackends(): FakeDirectory {
  return new FakeDirectory([
    resourceBackend('alpha', { resources: [resource('a://one')] }),
    resourceBackend('beta', { resources: [resource('b://two')] }),
  ]);
}

const NOT_FOUND = {
  code: -32602,
  message: 'Resource not found: x://nowhere',
  data: { uri: 'x://nowhere' },
};

describe('a URI no backend has', () => {
  it('is answered on resources/read with -32602 (SEP-2164), "Resource not found" and the URI as data', async () => {
    const client = await connect(twoResourceBackends());

    expect(await rpcErrorOf(client.readResource({ uri: 'x://nowhere' }))).toEqual(NOT_FOUND);
  });

  it('is answered on resources/subscribe with -32602 and the URI as data', async () => {
    const client = await connect(twoResourceBackends());

    expect(await rpcErrorOf(client.subscribeResource({ uri: 'x://nowhere' }))).toEqual(NOT_FOUND);
  });
});

describe('a prompt no backend has', () => {
  it('is answered on prompts/get with InvalidParams (-32602) naming the prompts there are', async () => {
    const client = await connect(new FakeDirectory([promptBackend('writer', [{ name: 'draft' }])]));

    expect(await rpcErrorOf(client.getPrompt({ name: 'nope' }))).toEqual({
      code: -32602,
      message: 'Unknown prompt "nope"; available: writer__draft',
      data: undefined,
    });
  });

  it('is answered on completion/complete with InvalidParams (-32602)', async () => {
    const writer = promptBackend('writer', [{ name: 'draft' }], { capabilities: { completions: {} } });
    const client = await connect(new FakeDirectory([writer]));

    const error = await rpcErrorOf(
      client.complete({ ref: { type: 'ref/prompt', name: 'nope' }, argument: { name: 'a', value: 'b' } }),
    );

    expect(error.code).toBe(-32602);
  });
});

describe('a resource URI listed by two backends', () => {
  it('is listed from the second once the first is removed', async () => {
    const directory = new FakeDirectory([
      resourceBackend('alpha', { resources: [resource('shared://x', 'x of alpha')] }),
      resourceBackend('beta', { resources: [resource('shared://x', 'x of beta'), resource('b://y')] }),
    ]);
    const client = await connect(directory);
    await client.listResources();

    await directory.remove('alpha');
    const { resources } = await client.listResources();

    expect(resources).toEqual([
      { uri: 'shared://x', name: 'x of beta' },
      { uri: 'b://y', name: 'b://y' },
    ]);
  });
});
