// Runs the official MCP conformance suite's server scenarios directly against the conformance fixture backend
// (test/fixtures/servers/conformance.mjs, over Streamable HTTP, no gateway involved), and smoke-tests the same
// fixture over stdio with the real SDK client.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';

import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  CONFORMANCE_CLI,
  CONFORMANCE_EXCLUDED_SERVER_SCENARIOS,
  CONFORMANCE_EXPECTED_WARNINGS,
  CONFORMANCE_SERVER_SCENARIOS,
  runConformance,
  startConformanceFixture,
  type ConformanceFixture,
  type ConformanceOutcome,
} from '../helpers/conformance.js';
import { fixturePath } from '../helpers/fixture-path.js';
import { findProcessesByMarker, waitForProcessesGone } from '../helpers/process-table.js';

const run = promisify(execFile);

/** Deadline of the whole suite run: 31 scenarios take a few seconds; each one is bounded by runConformance. */
const SUITE_DEADLINE_MS = 180_000;

describe('the conformance fixture over Streamable HTTP', () => {
  const marker = `conformance-direct-${randomUUID()}`;
  const abort = new AbortController();
  let fixture: ConformanceFixture | undefined;
  let results = new Map<string, ConformanceOutcome>();

  beforeAll(async () => {
    fixture = await startConformanceFixture({ CONFORMANCE_TEST_MARKER: marker });
    results = await runConformance(fixture.url.href, CONFORMANCE_SERVER_SCENARIOS, {
      signal: abort.signal,
      env: { CONFORMANCE_TEST_MARKER: marker },
    });
  }, SUITE_DEADLINE_MS);

  afterAll(async () => {
    abort.abort();
    await fixture?.stop();
    // The fixture and every conformance CLI process carried the marker: none may outlive the tests.
    await waitForProcessesGone(findProcessesByMarker(marker));
  });

  it.each(CONFORMANCE_SERVER_SCENARIOS)('passes the %s scenario', (scenario) => {
    const outcome = results.get(scenario);
    expect(outcome, `no result for ${scenario}`).toBeDefined();
    expect(outcome?.passed, `${scenario}:\n${outcome?.detail}`).toBe(true);
    expect(outcome?.warnings, `${scenario}:\n${outcome?.detail}`).toEqual(
      CONFORMANCE_EXPECTED_WARNINGS[scenario] ?? [],
    );
  });

  it('wrote nothing to stderr but its listening line while the suite ran', () => {
    expect(fixture?.stderr()).toBe(`listening on ${fixture?.url.href}\n`);
  });

  it('exits with code 0 on SIGTERM', async () => {
    expect(await fixture?.stop()).toBe(0);
  });
});

describe('the scenario list', () => {
  it('covers every server scenario of the installed suite but the documented exclusions', async () => {
    const { stdout } = await run(process.execPath, [CONFORMANCE_CLI, 'list', '--server']);
    const listed = [...stdout.matchAll(/^\s+- (\S+)$/gm)].map((match) => match[1]);
    expect(listed.sort()).toEqual(
      [...CONFORMANCE_SERVER_SCENARIOS, ...Object.keys(CONFORMANCE_EXCLUDED_SERVER_SCENARIOS)].sort(),
    );
  });
});

describe('the conformance fixture over stdio', () => {
  it('lists its tools, prompts, resources and resource templates and answers test_simple_text', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [fixturePath('conformance.mjs')],
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const client = new Client({ name: 'conformance-direct-test', version: '1.0.0' });
    await client.connect(transport);
    const pid = transport.pid;
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual([
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
      ]);
      const { prompts } = await client.listPrompts();
      expect(prompts.map((prompt) => prompt.name).sort()).toEqual([
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
