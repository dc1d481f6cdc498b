/**
 * `completion/complete`, through a real SDK client over an in-memory transport: asked of the backend that owns the
 * prompt or the resource template referenced.
 */
import { describe, expect, it } from 'vitest';

import { useInMemorySession } from '../../../helpers/connect-in-memory.js';
import type { FakeBackend, FakeRequestHandler } from '../../../helpers/fake-directory.js';
import { FakeDirectory } from '../../../helpers/fake-directory.js';
import { methodsOf, promptBackend, resourceBackend } from '../../../helpers/fake-resources.js';

const { connect } = useInMemorySession();

const COMPLETIONS = { completions: {} };

/** Completes with the backend's name and the value typed so far. */
function completer(backend: string): FakeRequestHandler {
  return (params) => {
    const argument = params.argument as { value: string };
    return { completion: { values: [`${argument.value}-from-${backend}`], total: 1, hasMore: false } };
  };
}

/** Two backends with the same prompt and each a template, both completing. */
function completingBackends(): { writer: FakeBackend; files: FakeBackend; directory: FakeDirectory } {
  const writer = promptBackend('writer', [{ name: 'draft', arguments: [{ name: 'topic' }] }], {
    capabilities: COMPLETIONS,
    requests: { 'completion/complete': completer('writer') },
  });
  const files = resourceBackend(
    'files',
    { templates: [{ uriTemplate: 'file:///{path}', name: 'file' }] },
    {
      capabilities: { ...COMPLETIONS, prompts: {} },
      requests: {
        'completion/complete': completer('files'),
        'prompts/list': () => ({ prompts: [{ name: 'draft' }] }),
      },
    },
  );
  return { writer, files, directory: new FakeDirectory([writer, files]) };
}

describe('completion/complete', () => {
  it('asks the backend of a prompt reference, under the prompt name the backend knows', async () => {
    const { writer, files, directory } = completingBackends();
    const client = await connect(directory);

    const result = await client.complete({
      ref: { type: 'ref/prompt', name: 'writer__draft' },
      argument: { name: 'topic', value: 'gate' },
    });

    expect(result).toEqual({ completion: { values: ['gate-from-writer'], total: 1, hasMore: false } });
    expect(writer.requests.at(-1)).toMatchObject({
      method: 'completion/complete',
      params: { ref: { type: 'ref/prompt', name: 'draft' }, argument: { name: 'topic', value: 'gate' } },
    });
    expect(methodsOf(files)).toEqual(['prompts/list']);
  });

  it('asks the backend that listed a resource template referenced, with the reference unchanged', async () => {
    const { writer, files, directory } = completingBackends();
    const client = await connect(directory);
    await client.listResourceTemplates();

    const result = await client.complete({
      ref: { type: 'ref/resource', uri: 'file:///{path}' },
      argument: { name: 'path', value: 'READ' },
    });

    expect(result).toEqual({ completion: { values: ['READ-from-files'], total: 1, hasMore: false } });
    expect(files.requests.at(-1)).toMatchObject({
      method: 'completion/complete',
      params: {
        ref: { type: 'ref/resource', uri: 'file:///{path}' },
        argument: { name: 'path', value: 'READ' },
      },
    });
    expect(methodsOf(writer)).toEqual([]);
  });

  it('finds the backend of a template reference by listing when the templates are not known yet', async () => {
    const { files, directory } = completingBackends();
    const client = await connect(directory);

    const result = await client.complete({
      ref: { type: 'ref/resource', uri: 'file:///{path}' },
      argument: { name: 'path', value: 'src' },
    });

    expect(result.completion.values).toEqual(['src-from-files']);
    expect(methodsOf(files)).toEqual(['resources/list', 'resources/templates/list', 'completion/complete']);
  });

  it('is not offered when no backend completes: the session advertises no completions', async () => {
    const writer = promptBackend('writer', [{ name: 'draft' }]);
    const client = await connect(new FakeDirectory([writer]));

    expect(client.getServerCapabilities()).toEqual({
      tools: { listChanged: true },
      prompts: { listChanged: true },
    });
  });
});
