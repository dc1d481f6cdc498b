/**
 * What every front door must do alike, whatever carries the messages: one behaviour suite, run once per front door
 * by the `front-door.*.test.ts` files beside this one with their own way of connecting a real SDK client to a
 * gateway core over fake backends.
 */
import type { Client, ClientOptions } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';

import { createRegistrationPolicy } from '../../src/backends/registration/registration-policy.js';
import { ProtocolError } from '../../src/errors/protocol-error.js';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { silentLogger } from '../../src/logger.js';
import { PipelineCatalog } from '../../src/pipelines/pipeline-catalog.js';
import { GATEWAY_NAME, GATEWAY_VERSION } from '../../src/version.js';
import { IN_MEMORY_BASE_DIR } from '../helpers/connect-in-memory.js';
import { FakeBackend, FakeDirectory, textResult } from '../helpers/fake-directory.js';
import { GATEWAY_TOOL_NAMES } from '../helpers/gateway-tool-names.js';
import { rpcErrorOf } from '../helpers/rpc-error.js';
import { defineExchangeCases, type OpenThroughFrontDoor } from './front-door-exchanges.case.js';

/** A client connected through a front door, and how to end that connection (the front door included). */
export interface FrontDoorConnection {
  readonly client: Client;
  close(): Promise<void>;
}

/** Serves `gateway` through the front door under test and connects a new client (built with `options`) to it. */
export type ConnectThroughFrontDoor = (
  gateway: Gateway,
  options: ClientOptions,
) => Promise<FrontDoorConnection>;

/** Defines the contract suite for the front door `name`, reached with `connect`. */
export function runFrontDoorContract(name: string, connect: ConnectThroughFrontDoor): void {
  const opened: { connection: FrontDoorConnection; gateway: Gateway }[] = [];
  afterEach(async () => {
    for (const { connection, gateway } of opened.splice(0).reverse()) {
      await connection.close();
      await gateway.close();
    }
  });

  /** A gateway over `directory` (register_server allowed), and a client connected to it through the front door. */
  const open: OpenThroughFrontDoor = async (directory, options = {}) => {
    const gateway = createGateway({
      directory,
      pipelines: new PipelineCatalog(),
      registration: createRegistrationPolicy({ enabled: true, logger: silentLogger }),
      baseDir: IN_MEMORY_BASE_DIR,
      logger: silentLogger,
    });
    const connection = await connect(gateway, options);
    opened.push({ connection, gateway });
    return connection.client;
  };

  describe(`the ${name} front door`, () => {
    it('initializes the client as the gateway, with tools that announce their changes', async () => {
      const client = await open(new FakeDirectory([new FakeBackend('alpha')]));

      expect(client.getServerVersion()).toEqual({ name: GATEWAY_NAME, version: GATEWAY_VERSION });
      expect(client.getServerCapabilities()).toEqual({ tools: { listChanged: true } });
      expect(client.getInstructions()?.startsWith('This gateway fronts several MCP servers.')).toBe(true);
    });

    it('advertises resources, prompts, logging and completions when a backend has them', async () => {
      const rich = new FakeBackend('rich', {
        capabilities: { tools: {}, resources: {}, prompts: {}, logging: {}, completions: {} },
      });
      const client = await open(new FakeDirectory([rich]));

      expect(client.getServerCapabilities()).toEqual({
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        logging: {},
        completions: {},
      });
    });

    it('lists the gateway tools, then every backend tool under its exposed name', async () => {
      const alpha = new FakeBackend('alpha', { tools: { echo: textResult(''), add: textResult('') } });
      const beta = new FakeBackend('beta', { tools: { echo: textResult('') } });
      const client = await open(new FakeDirectory([alpha, beta]));

      const { tools } = await client.listTools();

      expect(tools.map((tool) => tool.name)).toEqual([
        ...GATEWAY_TOOL_NAMES,
        'alpha__echo',
        'alpha__add',
        'beta__echo',
      ]);
      expect(tools.at(-1)).toEqual({
        name: 'beta__echo',
        description: 'echo of beta',
        inputSchema: { type: 'object' },
      });
    });

    it('calls a gateway tool', async () => {
      const client = await open(
        new FakeDirectory([new FakeBackend('alpha', { tools: { echo: textResult('') } })]),
      );

      const result = await client.callTool({ name: 'list_servers', arguments: {} });

      const { servers } = result.structuredContent as {
        servers: { name: string; state: string; tools: string[] }[];
      };
      expect(servers.map((server) => [server.name, server.state, server.tools])).toEqual([
        ['alpha', 'ready', ['echo']],
      ]);
    });

    it('calls a backend tool by its exposed name and through call_backend, its result unchanged', async () => {
      const mixed = {
        content: [
          { type: 'text' as const, text: 'hello' },
          { type: 'image' as const, data: 'iVBORw0KGgo=', mimeType: 'image/png' },
        ],
        structuredContent: { greeting: 'hello' },
      };
      const alpha = new FakeBackend('alpha', { tools: { greet: () => mixed } });
      const client = await open(new FakeDirectory([alpha]));

      const exposed = await client.callTool({ name: 'alpha__greet', arguments: { who: 'you' } });
      const viaGateway = await client.callTool({
        name: 'call_backend',
        arguments: { server: 'alpha', tool: 'greet', params: { who: 'me' } },
      });

      expect(exposed).toEqual(mixed);
      expect(viaGateway).toEqual(mixed);
      expect(alpha.calls.map((call) => call.args)).toEqual([{ who: 'you' }, { who: 'me' }]);
    });

    defineExchangeCases(open);

    it('answers an unknown tool with a JSON-RPC error naming what exists', async () => {
      const client = await open(
        new FakeDirectory([new FakeBackend('alpha', { tools: { echo: textResult('') } })]),
      );

      const error = await rpcErrorOf(client.callTool({ name: 'nope', arguments: {} }));

      expect(error).toEqual({
        code: -32602,
        message: `Unknown tool "nope"; available: ${GATEWAY_TOOL_NAMES.join(', ')}, alpha__echo`,
        data: undefined,
      });
    });

    it("passes a backend's JSON-RPC error on with its code, message and data", async () => {
      const alpha = new FakeBackend('alpha', {
        tools: {
          fail: () => {
            throw new ProtocolError(-32001, 'backend says no', { why: 'testing' });
          },
        },
      });
      const client = await open(new FakeDirectory([alpha]));

      const error = await rpcErrorOf(client.callTool({ name: 'alpha__fail', arguments: {} }));

      expect(error).toEqual({
        code: -32001,
        message: 'backend says no',
        data: { why: 'testing' },
      });
    });

    it('returns isError results: a backend tool failing, and a gateway tool given a server that does not exist', async () => {
      const failure = { content: [{ type: 'text' as const, text: 'could not' }], isError: true };
      const client = await open(new FakeDirectory([new FakeBackend('alpha', { tools: { fail: failure } })]));

      const fromBackend = await client.callTool({ name: 'alpha__fail', arguments: {} });
      const fromGateway = await client.callTool({
        name: 'call_backend',
        arguments: { server: 'nope', tool: 'x' },
      });

      expect(fromBackend).toEqual(failure);
      expect(fromGateway).toEqual({
        content: [{ type: 'text', text: 'unknown server "nope"; registered: alpha' }],
        isError: true,
      });
    });
  });
}
