/**
 * An MCP Apps server and what 2025-11-25 added, through the built gateway and real processes: the Apps fixture
 * (test/fixtures/servers/apps.mjs) beside the conformance fixture (a second backend with resources), reached by a
 * real SDK client that declares URL-mode elicitation, sampling with tools and the Apps extension, over stdio and
 * over Streamable HTTP.
 */
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { ClientCapabilities } from '@modelcontextprotocol/client';
import { beforeAll, describe, expect, it } from 'vitest';

import { deferred } from '../helpers/fake-backend.js';
import { fixturePath } from '../helpers/fixture-path.js';
import { CLI_PATH, callTool, fixtureServer, writeServersConfig } from '../helpers/gateway-process.js';
import { useProcessSandbox, type ProcessSandbox } from '../helpers/process-sandbox.js';
import { onlyText } from '../helpers/text-of.js';

const CHART_APP = 'ui://apps/chart.html';
const UI_EXTENSION = 'io.modelcontextprotocol/ui';
const APP_MIME_TYPE = 'text/html;profile=mcp-app';

/** A host that shows apps: it declares URL-mode elicitation, sampling with tools and the Apps extension. */
const APPS_HOST: ClientCapabilities = {
  elicitation: { form: {}, url: {} },
  sampling: { tools: {} },
  extensions: { [UI_EXTENSION]: { mimeTypes: [APP_MIME_TYPE] } },
};

/** A client of 2025-06-18's kind: form-mode elicitation only, no sampling, no apps. */
const FORM_ONLY: ClientCapabilities = { elicitation: {} };

/** A client and what its handlers saw. */
interface TestClient {
  readonly client: Client;
  /** The elicitation ids whose completion the client heard. */
  readonly completions: string[];
  /** Resolves when the client hears its first completion. */
  readonly completed: Promise<void>;
}

/** A client that accepts every elicitation, answers sampling with `sunny`, and records completions. */
function testClient(capabilities: ClientCapabilities): TestClient {
  const client = new Client({ name: 'apps-host', version: '1.0.0' }, { capabilities });
  const completions: string[] = [];
  const completed = deferred();
  if (capabilities.elicitation) client.setRequestHandler('elicitation/create', () => ({ action: 'accept' }));
  if (capabilities.sampling) {
    client.setRequestHandler('sampling/createMessage', () => ({
      role: 'assistant',
      content: { type: 'text', text: 'sunny' },
      model: 'test-model',
      stopReason: 'endTurn',
    }));
  }
  client.setNotificationHandler('notifications/elicitation/complete', (notification) => {
    completions.push(notification.params.elicitationId);
    completed.resolve();
  });
  return { client, completions, completed: completed.promise };
}

/** Writes the config: the Apps fixture and the conformance fixture, both carrying the sandbox's marker. */
function writeConfig(sandbox: ProcessSandbox): Promise<string> {
  return writeServersConfig(sandbox.dir, {
    apps: fixtureServer('apps.mjs', { env: sandbox.env }),
    conformance: fixtureServer('conformance.mjs', { env: sandbox.env }),
  });
}

/** What every front door must give an Apps host, checked with `host`. */
function itServesAnAppsHost(host: () => TestClient): void {
  it('tells the backend all it can route: both elicitation modes, sampling with tools, roots, the Apps extension', async () => {
    const declared: unknown = JSON.parse(
      onlyText(await callTool(host().client, 'apps__client_capabilities')),
    );

    expect(declared).toEqual({
      elicitation: { form: {}, url: {} },
      sampling: { context: {}, tools: {} },
      roots: { listChanged: true },
      extensions: { [UI_EXTENSION]: { mimeTypes: [APP_MIME_TYPE] } },
    });
  });

  it('announces the Apps extension, and lists the tool with its app but not the app-only tool', async () => {
    const { client } = host();
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);

    expect(client.getServerCapabilities()?.extensions).toEqual({
      [UI_EXTENSION]: { mimeTypes: [APP_MIME_TYPE] },
    });
    expect(tools.find((tool) => tool.name === 'apps__show_chart')?._meta).toEqual({
      ui: { resourceUri: CHART_APP },
    });
    expect(names).not.toContain('apps__refresh_chart');
    expect(names).toContain('conformance__test_simple_text');
  });

  it('loads the unlisted app through resources/read, with another backend serving resources', async () => {
    const { client } = host();
    const listed = (await client.listResources()).resources.map((resource) => resource.uri);
    const read = await client.readResource({ uri: CHART_APP });

    expect(listed).toEqual(expect.arrayContaining(['apps://readme', 'test://static-text']));
    expect(listed).not.toContain(CHART_APP);
    expect(read.contents).toEqual([
      {
        uri: CHART_APP,
        mimeType: APP_MIME_TYPE,
        text: '<!doctype html><title>Chart</title><canvas></canvas>',
      },
    ]);
  });

  it("passes the app's calls, by its server's own tool names, to its server", async () => {
    const { client } = host();

    expect(onlyText(await callTool(client, 'refresh_chart'))).toBe('chart refreshed');
    expect(await callTool(client, 'show_chart', { series: 'rain' })).toEqual({
      content: [{ type: 'text', text: 'chart of rain' }],
      structuredContent: { series: 'rain' },
    });
  });

  it('passes on a URL-mode elicitation, and its completion, to the client that made the call', async () => {
    const { client, completed, completions } = host();

    expect(onlyText(await callTool(client, 'apps__sign_in'))).toBe('accept');
    await completed;
    expect(completions).toEqual(['sign-in-1']);
  });

  it('passes on a sampling request with tools', async () => {
    expect(onlyText(await callTool(host().client, 'apps__sample_with_tools'))).toBe('sunny');
  });
}

describe('an MCP Apps server through the gateway over stdio', () => {
  const sandbox = useProcessSandbox('mcp-apps-stdio-');
  let host: TestClient | undefined;

  beforeAll(async () => {
    const config = await writeConfig(sandbox);
    host = testClient(APPS_HOST);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI_PATH, '--auto-register', config],
      stderr: 'pipe',
    });
    sandbox.defer(() => host?.client.close());
    await host.client.connect(transport);
  });

  itServesAnAppsHost(() => {
    if (!host) throw new Error('the gateway did not start');
    return host;
  });
});

describe('an MCP Apps server through the gateway over Streamable HTTP', () => {
  const sandbox = useProcessSandbox('mcp-apps-http-');
  let host: TestClient | undefined;
  let formOnly: TestClient | undefined;

  beforeAll(async () => {
    const gateway = await sandbox.startHttp(['--auto-register', await writeConfig(sandbox)]);
    host = testClient(APPS_HOST);
    formOnly = testClient(FORM_ONLY);
    for (const each of [host, formOnly]) {
      sandbox.defer(() => each.client.close());
      await each.client.connect(new StreamableHTTPClientTransport(gateway.url));
    }
  });

  const current = (which: TestClient | undefined): TestClient => {
    if (!which) throw new Error('the gateway did not start');
    return which;
  };

  itServesAnAppsHost(() => current(host));

  it('refuses a URL-mode elicitation for a client that declared form mode only, saying so to the backend', async () => {
    const { client, completions } = current(formOnly);

    const result = await callTool(client, 'apps__sign_in');
    const sampling = await callTool(client, 'apps__sample_with_tools');

    expect(onlyText(result)).toContain(
      'backend "apps" asked the client for URL-mode elicitation (elicitation/create), but the client did not ' +
        'declare it (capability elicitation.url)',
    );
    expect(onlyText(sampling)).toContain(
      'backend "apps" asked the client for sampling with tools (sampling/createMessage), but the client did not ' +
        'declare it (capability sampling.tools)',
    );
    // The other client's sign-in completed in an earlier test: none of it reached this one.
    expect(completions).toEqual([]);
  });
});

describe('the Apps fixture, without the gateway', () => {
  const sandbox = useProcessSandbox('mcp-apps-direct-');

  it('reads its app without listing it, and asks for URL mode only of a client that declared it', async () => {
    const host = testClient(APPS_HOST);
    sandbox.defer(() => host.client.close());
    await host.client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [fixturePath('apps.mjs')],
        env: { ...process.env, ...sandbox.env } as Record<string, string>,
      }),
    );

    const listed = (await host.client.listResources()).resources.map((resource) => resource.uri);
    const read = await host.client.readResource({ uri: CHART_APP });
    const signIn = await callTool(host.client, 'sign_in');
    await host.completed;

    expect(listed).toEqual(['apps://readme']);
    expect(read.contents[0]?.mimeType).toBe(APP_MIME_TYPE);
    expect(onlyText(signIn)).toBe('accept');
    expect(host.completions).toEqual(['sign-in-1']);
  });
});
