/**
 * The part of the front-door contract where the gateway and the client exchange more than a request and its
 * answer: progress, cancellation, requests a backend sends to the client, and list changes.
 */
import type { Client, ClientOptions, Progress } from '@modelcontextprotocol/client';
import { expect, it } from 'vitest';

import {
  aborted,
  deferred,
  FakeBackend,
  FakeDirectory,
  optionsOf,
  textResult,
  waitForCancellation,
} from '../helpers/fake-directory.js';
import { GATEWAY_TOOL_NAMES } from '../helpers/gateway-tool-names.js';
import { waitFor } from '../helpers/wait-for.js';

/** Opens a gateway over `directory` and connects a client to it through the front door under test. */
export type OpenThroughFrontDoor = (directory: FakeDirectory, options?: ClientOptions) => Promise<Client>;

/** Defines the exchange cases (inside the contract's `describe`) for clients opened with `open`. */
export function defineExchangeCases(open: OpenThroughFrontDoor): void {
  it("relays the backend's progress to the caller, in order, under the caller's token", async () => {
    const seen: Progress[] = [];
    const allSeen = deferred();
    const alpha = new FakeBackend('alpha', {
      tools: {
        work: async (_args, options) => {
          options?.onProgress?.({ progress: 1, total: 2, message: 'half' });
          options?.onProgress?.({ progress: 2, total: 2, message: 'done' });
          // The response waits until the client has the progress: an SDK client drops late progress.
          await allSeen.promise;
          return textResult('worked');
        },
      },
    });
    const client = await open(new FakeDirectory([alpha]));

    const result = await client.callTool(
      { name: 'alpha__work', arguments: {} },
      {
        onprogress: (progress) => {
          seen.push(progress);
          if (seen.length === 2) allSeen.resolve();
        },
      },
    );

    expect(seen).toEqual([
      { progress: 1, total: 2, message: 'half' },
      { progress: 2, total: 2, message: 'done' },
    ]);
    expect(result).toEqual(textResult('worked'));
  });

  it('passes a cancellation on to the backend call, with the reason', async () => {
    const started = deferred();
    const alpha = new FakeBackend('alpha', {
      tools: { wait: waitForCancellation(() => started.resolve()) },
    });
    const client = await open(new FakeDirectory([alpha]));
    const controller = new AbortController();

    const call = client.callTool(
      { name: 'alpha__wait', arguments: {} },
      {
        signal: controller.signal,
      },
    );
    await started.promise;
    controller.abort('changed my mind');

    // The SDK client gives up on the request at once, with the reason.
    await expect(call).rejects.toThrow('changed my mind');
    const signal = optionsOf(alpha.calls[0]).signal;
    await aborted(signal);
    expect((signal?.reason as Error).message).toBe('cancelled by the client: changed my mind');
  });

  it("passes a backend's sampling request to the caller's client and its answer back", async () => {
    const alpha: FakeBackend = new FakeBackend('alpha', {
      tools: {
        ask: async (_args, options) => {
          const answer = await alpha.sendRequest(
            { method: 'sampling/createMessage', params: { messages: [], maxTokens: 7 } },
            options?.signal,
          );
          return { content: [], structuredContent: answer };
        },
      },
    });
    const client = await open(new FakeDirectory([alpha]), { capabilities: { sampling: {} } });
    const asked: unknown[] = [];
    client.setRequestHandler('sampling/createMessage', (request) => {
      asked.push(request.params);
      return { role: 'assistant', content: { type: 'text', text: 'sampled' }, model: 'm' };
    });

    const result = await client.callTool({ name: 'alpha__ask', arguments: {} });

    expect(asked).toEqual([{ messages: [], maxTokens: 7 }]);
    expect(result).toEqual({
      content: [],
      structuredContent: { role: 'assistant', content: { type: 'text', text: 'sampled' }, model: 'm' },
    });
  });

  it("passes a backend's elicitation request to the caller's client and its answer back", async () => {
    const schema = { type: 'object' as const, properties: { name: { type: 'string' as const } } };
    const alpha: FakeBackend = new FakeBackend('alpha', {
      tools: {
        who: async (_args, options) => {
          const answer = await alpha.sendRequest(
            { method: 'elicitation/create', params: { message: 'Who are you?', requestedSchema: schema } },
            options?.signal,
          );
          return { content: [], structuredContent: answer };
        },
      },
    });
    const client = await open(new FakeDirectory([alpha]), { capabilities: { elicitation: {} } });
    client.setRequestHandler('elicitation/create', () => ({ action: 'accept', content: { name: 'Ada' } }));

    const result = await client.callTool({ name: 'alpha__who', arguments: {} });

    expect(result).toEqual({
      content: [],
      structuredContent: { action: 'accept', content: { name: 'Ada' } },
    });
  });

  it('tells the client the tool list changed after a registration and after a removal', async () => {
    const directory = new FakeDirectory();
    directory.onRegister = (server) => new FakeBackend(server, { tools: { fresh: textResult('new') } });
    const client = await open(directory);
    let told = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      told += 1;
    });
    const names = async (): Promise<string[]> => (await client.listTools()).tools.map((tool) => tool.name);

    const registered = await client.callTool({
      name: 'register_server',
      arguments: { name: 'late', command: 'node' },
    });
    await waitFor(() => told === 1, { description: 'tools/list_changed after the registration' });
    const afterRegistration = await names();
    const removed = await client.callTool({ name: 'remove_server', arguments: { name: 'late' } });
    await waitFor(() => told === 2, { description: 'tools/list_changed after the removal' });
    const afterRemoval = await names();

    expect([registered.isError, removed.isError]).toEqual([undefined, undefined]);
    expect(afterRegistration).toEqual([...GATEWAY_TOOL_NAMES, 'late__fresh']);
    expect(afterRemoval).toEqual(GATEWAY_TOOL_NAMES);
  });
}
