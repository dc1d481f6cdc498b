/**
 * Per-principal access rules on the built gateway over HTTP, with real fixture backends and real SDK clients: two
 * static-token principals see different tools, prompts, resources and servers, and are refused (and audited) on
 * calls outside their rights by exposed name, `call_backend`, `route_pipeline` (refused whole, naming the step),
 * `prompts/get` and `resources/read`; OAuth principals are matched by a group claim and by a scope; the 2026-07-28
 * front door is filtered as the 2025 one; a reload changes the rights of open sessions, which are told.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { Client, StreamableHTTPClientTransport, type ServerNotification } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { callTool, fixtureServer, type HttpGateway } from '../helpers/gateway-process.js';
import { startTestIssuer, type TestIssuer } from '../helpers/oidc-issuer.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

const READER = 'reader-token-0123456789abcdef';
const OPS = 'ops-token-0123456789abcdef01';
const now = () => Math.floor(Date.now() / 1000);

/** Gateway tools every principal of these rules lists (the registration tools are granted apart). */
const VIEW_TOOLS = ['list_servers', 'call_backend', 'route_pipeline', 'search_tools'];

function configOf(
  auditFile: string,
  issuer: string,
  env: Readonly<Record<string, string>>,
  readerGets: string[],
) {
  return JSON.stringify({
    servers: { echo: fixtureServer('echo.mjs', { env }), weather: fixtureServer('mutable.mjs', { env }) },
    pipelines: {
      'echo-twice': {
        steps: [
          { id: 'one', server: 'echo', tool: 'echo', params: { text: 'one' } },
          { id: 'two', server: 'echo', tool: 'echo', params: { text: 'two' }, after: ['one'] },
        ],
      },
      'echo-and-alerts': {
        steps: [
          { id: 'hello', server: 'echo', tool: 'echo', params: { text: 'hello' } },
          { id: 'alerts', server: 'weather', tool: 'get_alerts', params: { state: 'CA' } },
        ],
      },
    },
    audit: { file: auditFile },
    auth: { issuers: [{ name: 'corp', issuer }] },
    access: {
      rules: [
        {
          name: 'readers',
          match: { tokens: ['reader'] },
          allow: { tools: readerGets, pipelines: ['echo-twice'] },
        },
        {
          name: 'ops',
          match: { tokens: ['ops'] },
          allow: { servers: ['*'], pipelines: true, gatewayTools: ['restart_server'] },
          deny: { tools: ['weather.mutate'] },
        },
        { name: 'forecasters', match: { groups: ['forecasters'] }, allow: { servers: ['weather'] } },
        { name: 'echo-admins', match: { scopes: ['mcp:admin'] }, allow: { tools: ['echo.*'] } },
      ],
    },
  });
}

describe('access rules over HTTP', () => {
  const sandbox = useProcessSandbox('gateway-access-');
  let idp: TestIssuer;
  let gateway: HttpGateway;
  let auditFile: string;
  let configFile: string;
  let reader: Client;
  let ops: Client;

  const toolNames = async (client: Client) =>
    (await client.listTools()).tools.map((tool) => tool.name).sort();
  const audited = (predicate: (record: Record<string, unknown>) => boolean, description: string) =>
    waitFor(
      () =>
        readFileSync(auditFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .find(predicate),
      { description },
    );

  beforeAll(async () => {
    idp = await startTestIssuer();
    auditFile = path.join(sandbox.dir, 'audit.jsonl');
    configFile = path.join(sandbox.dir, 'config.json');
    await writeFile(configFile, configOf(auditFile, idp.issuer, sandbox.env, ['echo.echo', 'echo.add']));
    gateway = await sandbox.startHttp([
      '--auto-register',
      configFile,
      '--auth-token',
      `reader=${READER}`,
      '--auth-token',
      `ops=${OPS}`,
    ]);
    reader = await gateway.connect(READER);
    ops = await gateway.connect(OPS);
  });
  afterAll(async () => {
    await idp.close();
  });

  it('shows each static-token principal only the tools it may call', async () => {
    expect(await toolNames(reader)).toEqual([...VIEW_TOOLS, 'echo__add', 'echo__echo'].sort());
    const opsTools = await toolNames(ops);
    expect(opsTools).toContain('restart_server');
    expect(opsTools).toContain('weather__get_alerts');
    expect(opsTools).toContain('echo__slow');
    expect(opsTools).not.toContain('weather__mutate');
    expect(opsTools).not.toContain('register_server');
  });

  it('refuses a call outside the rights with an error naming the rule, and audits it as refused', async () => {
    await expect(ops.callTool({ name: 'weather__mutate', arguments: {} })).rejects.toThrow(
      'access denied: principal "ops" may not call tool "mutate" of server "weather": access rule "ops" denies it ' +
        '(deny.tools "weather.mutate")',
    );
    const record = await audited(
      (line) => line.principal === 'ops' && line.tool === 'mutate',
      'the refusal of weather.mutate in the audit log',
    );
    expect(record).toMatchObject({ outcome: 'refused', limit: 'access', server: 'weather', route: 'tool' });
    expect(record.reason).toContain('access rule "ops" denies it');

    const viaCallBackend = await callTool(reader, 'call_backend', {
      server: 'weather',
      tool: 'get_alerts',
      params: { state: 'CA' },
    });
    expect(viaCallBackend.isError).toBe(true);
    expect(textOf(viaCallBackend)).toContain(
      'no access rule that applies ("readers") allows it, and access.default is "deny"',
    );
    await audited(
      (line) => line.principal === 'reader' && line.route === 'call_backend' && line.outcome === 'refused',
      'the refusal of call_backend in the audit log',
    );
    // The registration tools are guarded too.
    await expect(reader.callTool({ name: 'restart_server', arguments: { name: 'echo' } })).rejects.toThrow(
      'may not call the gateway tool "restart_server"',
    );
  });

  it('hides the servers a principal may see nothing of: list_servers, search_tools, call_backend', async () => {
    const servers = await callTool(reader, 'list_servers');
    const listed = (servers.structuredContent as { servers: { name: string; tools: string[] }[] }).servers;
    expect(listed.map((server) => server.name)).toEqual(['echo']);
    expect(listed[0]?.tools.sort()).toEqual(['add', 'echo']);
    const found = await callTool(reader, 'search_tools', { query: 'weather alerts for a state' });
    expect(
      (found.structuredContent as { results: { server: string }[] }).results.map((r) => r.server),
    ).not.toContain('weather');
    const unknown = await callTool(reader, 'search_tools', { server: 'weather' });
    expect(textOf(unknown)).toBe('unknown server "weather"; registered: echo');
    const opsServers = await callTool(ops, 'list_servers');
    expect((opsServers.structuredContent as { servers: unknown[] }).servers).toHaveLength(2);
  });

  it('refuses a pipeline whole, naming the step, before any step runs', async () => {
    const refused = await callTool(reader, 'route_pipeline', { scenario: 'echo-and-alerts' });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('may not run pipeline "echo-and-alerts"');
    const custom = await callTool(ops, 'route_pipeline', {
      scenario: 'custom',
      steps: [
        { id: 'first', server: 'echo', tool: 'echo', params: { text: 'never sent' } },
        { id: 'change', server: 'weather', tool: 'mutate', params: { tool: 'evil' } },
      ],
    });
    expect(custom.isError).toBe(true);
    expect(textOf(custom)).toContain(
      'pipeline "custom" refused whole, no step ran: step "change" (weather.mutate): access denied',
    );
    await audited(
      (line) => line.principal === 'ops' && line.route === 'pipeline' && line.outcome === 'refused',
      'the refused pipeline in the audit log',
    );
    const allowed = await callTool(reader, 'route_pipeline', { scenario: 'echo-twice' });
    expect(allowed.isError).toBeUndefined();
    // No step of the refused pipeline ran: echo heard "never sent" from nobody.
    expect(readFileSync(auditFile, 'utf8')).not.toMatch(
      /"principal":"ops"[^\n]*"route":"pipeline"[^\n]*"ok"/,
    );
  });

  it('filters prompts and resources, and refuses reading or getting a hidden one, naming the rule', async () => {
    expect((await reader.listPrompts()).prompts).toEqual([]);
    expect((await ops.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual(['weather__brief']);
    expect((await reader.listResourceTemplates()).resourceTemplates).toEqual([]);
    expect((await ops.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual([
      'alert://{state}',
    ]);
    expect(
      textOf({ content: (await ops.readResource({ uri: 'alert://CA' })).contents.map(asText) }),
    ).toContain('alerts of alert://CA');
    await expect(reader.readResource({ uri: 'alert://CA' })).rejects.toThrow(
      'may not read resource "alert://CA" of server "weather"',
    );
    await expect(reader.getPrompt({ name: 'weather__brief', arguments: { state: 'CA' } })).rejects.toThrow(
      'may not get prompt "brief" of server "weather"',
    );
    await audited(
      (line) => line.principal === 'reader' && line.method === 'resources/read' && line.outcome === 'refused',
      'the refused read in the audit log',
    );
  });

  it('matches OAuth principals by a group claim and by a scope', async () => {
    const resource = gateway.url.href;
    const forecaster = await idp.sign({
      iss: idp.issuer,
      aud: resource,
      sub: 'fiona',
      scope: 'mcp',
      groups: ['staff', 'forecasters'],
      iat: now(),
      exp: now() + 300,
    });
    const fiona = await gateway.connect(forecaster);
    expect(await toolNames(fiona)).toEqual(
      [
        ...VIEW_TOOLS.filter((tool) => tool !== 'route_pipeline'),
        'weather__get_alerts',
        'weather__mutate',
      ].sort(),
    );
    const admin = await gateway.connect(await idp.token('alice', { resource, scope: 'mcp mcp:admin' }));
    expect(await toolNames(admin)).toContain('echo__echo');
    expect(await toolNames(admin)).not.toContain('weather__get_alerts');
    const plain = await gateway.connect(await idp.token('bob', { resource, scope: 'mcp' }));
    await expect(plain.callTool({ name: 'echo__echo', arguments: { text: 'hi' } })).rejects.toThrow(
      'principal "corp:bob" may not call tool "echo" of server "echo": no access rule applies to it',
    );
  });

  it('tells of a change to a server only the sessions that may see the server', async () => {
    const heard = { reader: 0, ops: 0 };
    reader.setNotificationHandler('notifications/tools/list_changed', () => void (heard.reader += 1));
    ops.setNotificationHandler('notifications/tools/list_changed', () => void (heard.ops += 1));
    const forecaster = await idp.sign({
      iss: idp.issuer,
      aud: gateway.url.href,
      sub: 'fiona',
      scope: 'mcp',
      groups: ['forecasters'],
      iat: now(),
      exp: now() + 300,
    });
    const fiona = await gateway.connect(forecaster);
    // The weather backend changes its tool's description and announces it: its tools changed.
    await callTool(fiona, 'weather__mutate', { tool: 'Alerts, described anew.' });
    await waitFor(() => heard.ops > 0, { description: 'the ops session to hear that its tool list changed' });
    // One round trip on the reader's session after the change was announced: it heard nothing of it.
    expect(await toolNames(reader)).not.toContain('weather__get_alerts');
    expect(heard.reader).toBe(0);
  });

  it('filters the 2026-07-28 front door as the 2025 one', async () => {
    const modern = new Client(
      { name: 'access-modern', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' } },
    );
    sandbox.defer(() => modern.close());
    await modern.connect(
      new StreamableHTTPClientTransport(gateway.url, {
        requestInit: { headers: { Authorization: `Bearer ${READER}` } },
      }),
    );
    expect(modern.getProtocolEra()).toBe('modern');
    expect(await toolNames(modern)).toEqual(await toolNames(reader));
    await expect(
      modern.callTool({ name: 'weather__get_alerts', arguments: { state: 'CA' } }),
    ).rejects.toThrow('access denied: principal "reader"');
    expect(textOf(await callTool(modern, 'echo__echo', { text: 'modern' }))).toBe('modern');
  });

  it('applies changed rules to open sessions on reload, and tells them their lists changed', async () => {
    const told: ServerNotification[] = [];
    reader.setNotificationHandler(
      'notifications/tools/list_changed',
      (notification) => void told.push(notification),
    );
    await writeFile(
      configFile,
      configOf(auditFile, idp.issuer, sandbox.env, ['echo.echo', 'weather.get_alerts']),
    );
    await waitFor(async () => (await toolNames(reader)).includes('weather__get_alerts'), {
      description: 'the reloaded rules to show weather__get_alerts to the open session',
    });
    expect(await toolNames(reader)).not.toContain('echo__add');
    expect(told.length).toBeGreaterThan(0);
    expect(textOf(await callTool(reader, 'weather__get_alerts', { state: 'NY' }))).toBe('no alerts for NY');
    await expect(reader.callTool({ name: 'echo__add', arguments: { a: 1, b: 2 } })).rejects.toThrow(
      'access denied',
    );
  });
});

function asText(content: { uri: string; text?: string }): { type: 'text'; text: string } {
  return { type: 'text', text: content.text ?? '' };
}

describe('access rules over stdio', () => {
  const sandbox = useProcessSandbox('gateway-access-stdio-');

  it('knows the client as the principal "local", which rules may name', async () => {
    const configFile = path.join(sandbox.dir, 'config.json');
    await writeFile(
      configFile,
      JSON.stringify({
        servers: { echo: fixtureServer('echo.mjs', { env: sandbox.env }) },
        access: {
          rules: [
            { name: 'me', match: { principals: ['local'] }, allow: { tools: ['echo.echo'] } },
            { name: 'others', match: { principals: ['anonymous'] }, allow: { servers: ['*'] } },
          ],
        },
      }),
    );
    const { client } = await sandbox.connectStdio(['--auto-register', configFile]);
    const tools = (await client.listTools()).tools.map((tool) => tool.name).sort();
    expect(tools).toEqual(['call_backend', 'echo__echo', 'list_servers', 'search_tools']);
    expect(textOf(await callTool(client, 'echo__echo', { text: 'mine' }))).toBe('mine');
    await expect(client.callTool({ name: 'echo__add', arguments: { a: 1, b: 2 } })).rejects.toThrow(
      'access denied: principal "local" may not call tool "add" of server "echo": no access rule that applies ("me")',
    );
  });
});
