/**
 * remove_server through a real SDK client over an in-memory transport.
 */
import { describe, expect, it } from 'vitest';

import { useInMemorySession } from '../../../helpers/connect-in-memory.js';
import { FakeDirectory, FakeBackend } from '../../../helpers/fake-directory.js';
import { onlyText } from '../../../helpers/text-of.js';

const { connect, callTool } = useInMemorySession();

describe('remove_server', () => {
  it('removes the named server through the directory and renders the result', async () => {
    const directory = new FakeDirectory([new FakeBackend('files'), new FakeBackend('weather')]);
    await connect(directory);

    const result = await callTool('remove_server', { name: 'files' });

    expect(directory.removals).toEqual(['files']);
    expect(directory.describeNames()).toBe('weather');
    expect(onlyText(result)).toBe('Removed server "files"');
    expect(result.structuredContent).toEqual({ name: 'files', removed: true });
  });

  it('reports an unknown name as an error with the directory message', async () => {
    const directory = new FakeDirectory([new FakeBackend('weather')]);
    await connect(directory);

    const result = await callTool('remove_server', { name: 'files' });

    expect(result).toEqual({
      content: [{ type: 'text', text: 'no server named "files"; registered: weather' }],
      isError: true,
    });
  });
});
