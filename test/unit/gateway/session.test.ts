/**
 * What a session lists and how it answers an unknown tool, through a real SDK client over an in-memory transport.
 */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { PipelineCatalog } from '../../../src/pipelines/pipeline-catalog.js';
import { useInMemorySession } from '../../helpers/connect-in-memory.js';
import { FakeBackend, FakeDirectory } from '../../helpers/fake-directory.js';
import { GATEWAY_TOOL_NAMES } from '../../helpers/gateway-tool-names.js';

const { connect, connected } = useInMemorySession();

describe('tools/list', () => {
  it('lists exactly the gateway tools, in order, each with an object input schema', async () => {
    await connect(new FakeDirectory());

    const { tools } = await connected().listTools();

    expect(tools.map((tool) => tool.name)).toEqual(GATEWAY_TOOL_NAMES);
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.description?.length ?? 0).toBeGreaterThan(20);
    }
    const callBackend = tools.find((tool) => tool.name === 'call_backend');
    expect(callBackend?.inputSchema.required).toEqual(['server', 'tool']);
    expect(Object.keys(callBackend?.inputSchema.properties ?? {})).toEqual(['server', 'tool', 'params']);
    const routePipeline = tools.find((tool) => tool.name === 'route_pipeline');
    expect(routePipeline?.inputSchema.required).toEqual(['scenario']);
    expect(Object.keys(routePipeline?.inputSchema.properties ?? {})).toEqual(['scenario', 'input', 'steps']);
  });

  it('declares object output schemas for every tool but call_backend, whose results are the backends own', async () => {
    await connect(new FakeDirectory());

    const { tools } = await connected().listTools();

    const outputSchemas = Object.fromEntries(tools.map((tool) => [tool.name, tool.outputSchema]));
    expect(outputSchemas.call_backend).toBeUndefined();
    for (const name of [
      'register_server',
      'remove_server',
      'restart_server',
      'list_servers',
      'route_pipeline',
    ]) {
      expect(outputSchemas[name]?.type).toBe('object');
    }
    expect(outputSchemas.register_server?.required).toEqual(['name', 'status', 'tools']);
    expect(outputSchemas.remove_server?.required).toEqual(['name', 'removed']);
    expect(outputSchemas.list_servers?.required).toEqual(['servers', 'conflicts']);
    expect(outputSchemas.route_pipeline?.required).toEqual(['scenario', 'ok', 'durationMs', 'steps']);
  });

  it('lists the config pipelines whose backends are registered, and custom, in the description of route_pipeline', async () => {
    const pipelines = new PipelineCatalog({
      nightly: { description: 'Nightly export of the orders', steps: [{ server: 'sqlite', tool: 'export' }] },
      elsewhere: { steps: [{ server: 'missing', tool: 'x' }] },
    });
    await connect(new FakeDirectory([new FakeBackend('sqlite')]), { pipelines });

    const { tools } = await connected().listTools();

    const description = tools.find((tool) => tool.name === 'route_pipeline')?.description ?? '';
    const scenarioLines = description.split('\n').filter((line) => line.startsWith('- '));
    expect(scenarioLines.map((line) => line.slice(2, line.indexOf(':')))).toEqual(['nightly', 'custom']);
    expect(description).toContain('- nightly: Nightly export of the orders');
  });
});

describe('an unknown gateway tool', () => {
  it('is rejected with JSON-RPC error -32602 whose message lists the available tools', async () => {
    await connect(new FakeDirectory());

    const error = await connected()
      .callTool({ name: 'get_weather', arguments: {} })
      .then(
        () => undefined,
        (reason: unknown) => reason,
      );

    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe(ProtocolErrorCode.InvalidParams);
    expect((error as ProtocolError).message).toContain(
      'Unknown tool "get_weather"; available: register_server, remove_server, restart_server, list_servers, call_backend, route_pipeline',
    );
  });

  it('is reported without an "MCP error -32602" prefix', async () => {
    await connect(new FakeDirectory());

    const error = await connected()
      .callTool({ name: 'get_weather', arguments: {} })
      .then(
        () => undefined,
        (reason: unknown) => reason,
      );

    expect((error as Error).message).toBe(
      'Unknown tool "get_weather"; available: register_server, remove_server, restart_server, list_servers, ' +
        'call_backend, route_pipeline, search_tools',
    );
  });
});
