import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import { startHttpGateway, textOf, type HttpGateway } from '../helpers/gateway-process.js';
import { findProcessesByMarker, waitForProcessesGone } from '../helpers/process-table.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

let gateway: HttpGateway;
let dir: string;
const marker = `marker-${randomUUID()}`;
const clients: Client[] = [];

/** A client session with the given capabilities; `label` marks the answers of its sampling handler. */
async function connect(label: string, capabilities: Record<string, unknown> = {}): Promise<Client> {
  const client = new Client({ name: `client-${label}`, version: '1.0.0' }, { capabilities });
  await client.connect(new StreamableHTTPClientTransport(gateway.url));
  clients.push(client);
  return client;
}

beforeAll(async () => {
  dir = await makeTempDir('forwarding-');
  const config = path.join(dir, 'config.json');
  await writeFile(
    config,
    JSON.stringify({
      servers: {
        conf: {
          command: process.execPath,
          args: [fixturePath('conformance.mjs')],
          env: { GATEWAY_TEST_MARKER: marker },
        },
      },
    }),
  );
  gateway = await startHttpGateway(['--auto-register', config]);
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await gateway.stop();
  await waitForProcessesGone(findProcessesByMarker(marker), 5000);
  await removeTempDir(dir);
});

describe('the protocol forwarded through the gateway', () => {
  it('advertises resources, prompts, logging and completions because the backend has them', async () => {
    const client = await connect('caps');
    expect(client.getServerCapabilities()).toMatchObject({
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      logging: {},
      completions: {},
    });
  });

  it('lists and reads resources and templates, routed by URI', async () => {
    const client = await connect('resources');
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri)).toEqual(expect.arrayContaining(['test://static-text']));
    const read = await client.readResource({ uri: 'test://static-text' });
    expect(read.contents[0]).toMatchObject({ uri: 'test://static-text' });
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toContain('test://template/{id}/data');
    const templated = await client.readResource({ uri: 'test://template/42/data' });
    expect(JSON.stringify(templated.contents)).toContain('42');
    await expect(client.readResource({ uri: 'test://nowhere' })).rejects.toThrow();
  });

  it('lists prompts under the backend prefix and gets them from the backend', async () => {
    const client = await connect('prompts');
    const { prompts } = await client.listPrompts();
    const names = prompts.map((prompt) => prompt.name);
    expect(names).toEqual(
      expect.arrayContaining(['conf__test_simple_prompt', 'conf__test_prompt_with_arguments']),
    );
    const got = await client.getPrompt({
      name: 'conf__test_prompt_with_arguments',
      arguments: { arg1: 'alpha', arg2: 'beta' },
    });
    expect(JSON.stringify(got.messages)).toContain('alpha');
    const completion = await client.complete({
      ref: { type: 'ref/prompt', name: 'conf__test_prompt_with_arguments' },
      argument: { name: 'arg1', value: 'par' },
    });
    expect(Array.isArray(completion.completion.values)).toBe(true);
  });

  it('passes backend log messages to the calling client with the backend name as logger', async () => {
    const client = await connect('logs');
    const logs: { logger?: string; data?: unknown }[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      logs.push(notification.params);
    });
    await client.callTool({ name: 'conf__test_tool_with_logging', arguments: {} });
    expect(logs.map((log) => log.logger)).toEqual(['conf', 'conf', 'conf']);
    expect(JSON.stringify(logs.map((log) => log.data))).toContain('Tool execution started');
  });

  it('answers a backend sampling request from the session whose call is in flight, never another', async () => {
    const asked: string[] = [];
    const answer = (label: string) => () => {
      asked.push(label);
      return {
        role: 'assistant' as const,
        content: { type: 'text' as const, text: `answer from ${label}` },
        model: 'test-model',
      };
    };
    const first = await connect('A', { sampling: {} });
    const second = await connect('B', { sampling: {} });
    first.setRequestHandler(CreateMessageRequestSchema, answer('A'));
    second.setRequestHandler(CreateMessageRequestSchema, answer('B'));
    const fromB = (await second.callTool({
      name: 'conf__test_sampling',
      arguments: { prompt: 'hello' },
    })) as CallToolResult;
    expect(textOf(fromB)).toContain('answer from B');
    const fromA = (await first.callTool({
      name: 'conf__test_sampling',
      arguments: { prompt: 'hello' },
    })) as CallToolResult;
    expect(textOf(fromA)).toContain('answer from A');
    expect(asked).toEqual(['B', 'A']);
  });

  it('passes an elicitation to the client and its answer back', async () => {
    const client = await connect('elicit', { elicitation: {} });
    client.setRequestHandler(ElicitRequestSchema, () => ({
      action: 'accept' as const,
      content: { username: 'ada', email: 'ada@example.com' },
    }));
    const result = (await client.callTool({
      name: 'conf__test_elicitation',
      arguments: { message: 'who are you?' },
    })) as CallToolResult;
    expect(textOf(result)).toContain('ada@example.com');
  });

  it('lets the backend know when the client cannot sample', async () => {
    const client = await connect('nosampling');
    const result = (await client.callTool({
      name: 'conf__test_sampling',
      arguments: { prompt: 'hello' },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('sampling');
  });
});
