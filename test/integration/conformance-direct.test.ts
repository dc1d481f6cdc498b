// Runs the official MCP conformance suite's server scenarios directly against each conformance fixture backend
// (over Streamable HTTP, no gateway involved), at each protocol revision the fixture claims: the legacy fixture
// (SDK v1, conformance.mjs) at 2025-11-25, the modern one (SDK v2, modern-conformance.mjs) at 2025-11-25 and
// 2026-07-28. Then smoke-tests the fixtures over stdio with real SDK clients.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';

import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  CONFORMANCE_CLI,
  CONFORMANCE_FIXTURES,
  ensureSuiteNode,
  REVISIONS,
  runConformance,
  scenariosToPass,
  serverRequirements,
  startConformanceFixture,
  type ConformanceFixture,
  type ConformanceFixtureName,
  type ConformanceOutcome,
  type Revision,
} from '../helpers/conformance.js';
import { fixturePath } from '../helpers/fixture-path.js';
import { findProcessesByMarker, waitForProcessesGone } from '../helpers/process-table.js';

const run = promisify(execFile);

/** Deadline of the fixture's suite runs: each revision's set takes a few seconds; each scenario is bounded. */
const SUITE_DEADLINE_MS = 240_000;

const FIXTURES = Object.keys(CONFORMANCE_FIXTURES) as ConformanceFixtureName[];

describe.each(FIXTURES)('the %s conformance fixture over Streamable HTTP', (fixtureName) => {
  const claims = CONFORMANCE_FIXTURES[fixtureName];
  const marker = `conformance-direct-${randomUUID()}`;
  const abort = new AbortController();
  let fixture: ConformanceFixture | undefined;
  const results = new Map<Revision, Map<string, ConformanceOutcome>>();

  beforeAll(async () => {
    fixture = await startConformanceFixture(fixtureName, { CONFORMANCE_TEST_MARKER: marker });
    const url = fixture.url.href;
    // The revisions at once: each scenario opens its own session (2025) or sends self-contained requests (2026).
    await Promise.all(
      claims.revisions.map(async (revision) => {
        const all = serverRequirements(revision).all;
        const options = { signal: abort.signal, env: { CONFORMANCE_TEST_MARKER: marker } };
        results.set(revision, await runConformance(url, revision, all, options));
      }),
    );
  }, SUITE_DEADLINE_MS);

  afterAll(async () => {
    abort.abort();
    await fixture?.stop();
    // The fixture and every conformance CLI process carried the marker: none may outlive the tests.
    await waitForProcessesGone(findProcessesByMarker(marker));
  });

  describe.each(claims.revisions)('at %s', (revision) => {
    it.each(scenariosToPass(fixtureName, revision))('passes %s', (scenario) => {
      const outcome = results.get(revision)?.get(scenario);
      expect(outcome, `no result for ${scenario}`).toBeDefined();
      expect(outcome?.passed, `${scenario}:\n${outcome?.detail}`).toBe(true);
      expect(outcome?.warnings, `${scenario}:\n${outcome?.detail}`).toEqual(
        claims.warnings[revision]?.[scenario] ?? [],
      );
      expect(outcome?.skipped, `${scenario}:\n${outcome?.detail}`).toEqual(
        claims.skipped[revision]?.[scenario] ?? [],
      );
    });

    it('still fails each scenario it is excluded from (an exclusion that passes is stale)', () => {
      const passing = Object.keys(claims.excluded[revision] ?? {}).filter(
        (scenario) => results.get(revision)?.get(scenario)?.passed !== false,
      );
      expect(passing).toEqual([]);
    });
  });

  it('wrote nothing to stderr but its listening line while the suite ran', () => {
    expect(fixture?.stderr()).toBe(`listening on ${fixture?.url.href}\n`);
  });

  it('exits with code 0 on SIGTERM', async () => {
    expect(await fixture?.stop()).toBe(0);
  });
});

describe('the requirement sets', () => {
  it.each(REVISIONS)('name only server scenarios the installed suite lists (%s)', async (revision) => {
    const { stdout } = await run(await ensureSuiteNode(), [CONFORMANCE_CLI, 'list', '--server']);
    const listed = new Set([...stdout.matchAll(/^\s+- (\S+)/gm)].map((match) => match[1]));
    expect(serverRequirements(revision).all.filter((scenario) => !listed.has(scenario))).toEqual([]);
  });
});

/** The tools both fixtures list. */
const COMMON_TOOLS = [
  'json_schema_2020_12_tool',
  'test_audio_content',
  'test_elicitation',
  'test_elicitation_sep1034_defaults',
  'test_elicitation_sep1330_enums',
  'test_embedded_resource',
  'test_error_handling',
  'test_image_content',
  'test_multiple_content_types',
  'test_reconnection',
  'test_sampling',
  'test_simple_text',
  'test_tool_with_logging',
  'test_tool_with_progress',
];

/** The tools only the modern fixture lists (2026-07-28 scenarios). */
const MODERN_TOOLS = [
  'test_input_required_result_capabilities',
  'test_input_required_result_elicitation',
  'test_input_required_result_list_roots',
  'test_input_required_result_multi_round',
  'test_input_required_result_multiple_inputs',
  'test_input_required_result_request_state',
  'test_input_required_result_sampling',
  'test_input_required_result_tampered_state',
  'test_logging_tool',
  'test_missing_capability',
  'test_streaming_elicitation',
  'test_trigger_prompt_change',
  'test_trigger_tool_change',
  'test_x_mcp_header',
];

describe.each([
  ['legacy', COMMON_TOOLS],
  ['modern', [...COMMON_TOOLS, ...MODERN_TOOLS].sort()],
] as const)('the %s conformance fixture over stdio (2025 handshake)', (fixtureName, tools) => {
  it('lists its tools, prompts, resources and resource templates and answers test_simple_text', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [fixturePath(CONFORMANCE_FIXTURES[fixtureName].file)],
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const client = new Client({ name: 'conformance-direct-test', version: '1.0.0' });
    await client.connect(transport);
    const pid = transport.pid;
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(tools);
      const prompts = (await client.listPrompts()).prompts.map((prompt) => prompt.name);
      expect(prompts.filter((name) => name !== 'test_input_required_result_prompt').sort()).toEqual([
        'test_prompt_with_arguments',
        'test_prompt_with_embedded_resource',
        'test_prompt_with_image',
        'test_simple_prompt',
      ]);
      const { resources } = await client.listResources();
      expect(resources.map((resource) => resource.uri).sort()).toEqual([
        'test://static-binary',
        'test://static-text',
        'test://watched-resource',
      ]);
      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates.map((template) => template.uriTemplate)).toEqual([
        'test://template/{id}/data',
      ]);
      expect(await client.callTool({ name: 'test_simple_text', arguments: {} })).toEqual({
        content: [{ type: 'text', text: 'This is a simple text response for testing.' }],
      });
    } finally {
      await client.close();
    }
    if (pid !== null) await waitForProcessesGone([pid]);
    expect(stderr).toBe('');
  });
});

describe('the modern conformance fixture over stdio at 2026-07-28', () => {
  it('serves a client pinned to 2026-07-28, multi-round-trip results included', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [fixturePath(CONFORMANCE_FIXTURES.modern.file)],
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const client = new Client(
      { name: 'conformance-direct-test', version: '1.0.0' },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    // The client answers the fixture's in-band elicitation (input_required) for the call below.
    client.setRequestHandler('elicitation/create', () => ({ action: 'accept', content: { name: 'Ada' } }));
    await client.connect(transport);
    const pid = transport.pid;
    try {
      expect(client.getProtocolEra()).toBe('modern');
      expect(await client.callTool({ name: 'test_simple_text', arguments: {} })).toMatchObject({
        content: [{ type: 'text', text: 'This is a simple text response for testing.' }],
      });
      expect(
        await client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} }),
      ).toMatchObject({ content: [{ type: 'text', text: 'Hello, Ada!' }] });
    } finally {
      await client.close();
    }
    if (pid !== null) await waitForProcessesGone([pid]);
    expect(stderr).toBe('');
  });
});
