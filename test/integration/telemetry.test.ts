/**
 * Metrics and traces through real gateway processes: spans and metrics pushed to a real OTLP/HTTP receiver (JSON),
 * a caller's W3C trace context continued and passed on to the backend, `/metrics` scraped on the admin listener
 * and on the HTTP front door (behind its token), and the admin listener's probes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  callTool,
  CLI_PATH,
  fixtureServer,
  PROJECT_ROOT,
  startHttpGateway,
  writeServersConfig,
} from '../helpers/gateway-process.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

const TOKEN = 'telemetry-test-token-0123456789';
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

let dir: string;
let config: string;
let receiver: OtlpReceiver;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  dir = await makeTempDir('telemetry-');
  config = await writeServersConfig(dir, { echo: fixtureServer('echo.mjs') });
  receiver = await startOtlpReceiver();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await receiver.close();
  await removeTempDir(dir);
});

/** A stdio gateway with an admin listener, exporting to the receiver; resolves with its client and admin URL. */
async function stdioGateway(env: Record<string, string>): Promise<{ client: Client; admin: string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_PATH, '--auto-register', config, '--admin-port', '0'],
    cwd: PROJECT_ROOT,
    env: { ...(process.env as Record<string, string>), ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'telemetry-test', version: '1.0.0' });
  await client.connect(transport);
  cleanups.push(() => client.close());
  const admin = await waitFor(() => /serving the admin listener at (\S+)/.exec(stderr)?.[1], {
    description: 'the admin listener',
  });
  return { client, admin };
}

function spanNamed(name: string, traceId?: string): ReceivedSpan | undefined {
  return receiver.spans.find(
    (span) => span.name === name && (traceId === undefined || span.traceId === traceId),
  );
}

/** The value of one Prometheus sample (a metric name and a label fragment) in a scrape, or 0. */
function sample(text: string, metric: string, labels: string): number {
  const line = text.split('\n').find((each) => each.startsWith(`${metric}{`) && each.includes(labels));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('traces', () => {
  it("continue the caller's trace: client request span, backend hop span under it, and the backend gets the hop as parent", async () => {
    const { client } = await stdioGateway({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_SERVICE_NAME: 'gateway-under-test',
    });

    const result = await client.callTool({
      name: 'echo__echo_meta',
      arguments: {},
      _meta: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`, tracestate: 'vendor=opaque' },
    });
    const backendMeta = JSON.parse(textOf(result)) as Record<string, string>;

    const request = await waitFor(() => spanNamed('tools/call echo__echo_meta', CALLER_TRACE), {
      description: 'the client request span',
    });
    const hop = await waitFor(() => spanNamed('tools/call echo_meta', CALLER_TRACE), {
      description: 'the backend hop span',
    });
    expect(request.parentSpanId).toBe(CALLER_SPAN);
    expect(request.kind).toBe(2); // SERVER
    expect(request.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'echo__echo_meta',
      'mcp.server.name': 'echo',
      'mcp.gateway.outcome': 'ok',
      'mcp.gateway.front_door': 'stdio',
    });
    expect(request.resource['service.name']).toBe('gateway-under-test');
    expect(hop.parentSpanId).toBe(request.spanId);
    expect(hop.kind).toBe(3); // CLIENT
    expect(hop.attributes).toMatchObject({
      'mcp.server.name': 'echo',
      'gen_ai.tool.name': 'echo_meta',
      'mcp.gateway.outcome': 'ok',
    });
    expect(backendMeta.traceparent).toBe(`00-${CALLER_TRACE}-${hop.spanId}-01`);
    expect(backendMeta.tracestate).toBe('vendor=opaque');
  });

  it('give each pipeline step a span under the request, with its backend hop under the step; failures carry the outcome', async () => {
    const { client } = await stdioGateway({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });

    await callTool(client, 'route_pipeline', {
      scenario: 'custom',
      steps: [
        { id: 'first', server: 'echo', tool: 'echo', params: { text: 'a secret value' } },
        { id: 'second', server: 'echo', tool: 'fail', after: ['first'], optional: true },
      ],
    });

    const request = await waitFor(() => spanNamed('tools/call route_pipeline'), {
      description: 'the pipeline span',
    });
    const first = await waitFor(() => spanNamed('pipeline step first', request.traceId), {
      description: 'step one',
    });
    const second = await waitFor(() => spanNamed('pipeline step second', request.traceId), {
      description: 'step two',
    });
    const hops = await waitFor(
      () => {
        const found = receiver.spans.filter((span) => span.traceId === request.traceId && span.kind === 3);
        return found.length === 2 ? found : undefined;
      },
      { description: 'the two hops' },
    );
    expect(first.parentSpanId).toBe(request.spanId);
    expect(second.parentSpanId).toBe(request.spanId);
    expect(first.attributes).toMatchObject({
      'mcp.gateway.pipeline.step': 'first',
      'mcp.server.name': 'echo',
    });
    expect(hops.find((hop) => hop.name === 'tools/call echo')?.parentSpanId).toBe(first.spanId);
    const failing = hops.find((hop) => hop.name === 'tools/call fail');
    expect(failing?.parentSpanId).toBe(second.spanId);
    expect(failing?.attributes['mcp.gateway.outcome']).toBe('tool-error');
    // No argument value reaches a span.
    expect(JSON.stringify(receiver.spans)).not.toContain('a secret value');
  });
});

describe('metrics', () => {
  it('are pushed to the receiver and scraped on the admin listener, counters moving after calls', async () => {
    const { client, admin } = await stdioGateway({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_METRIC_EXPORT_INTERVAL: '200',
    });
    const okCalls = 'mcp_gateway_calls_total';
    const labels = 'gen_ai_tool_name="add"';
    const before = sample(await (await fetch(`${admin}/metrics`)).text(), okCalls, labels);

    await callTool(client, 'echo__add', { a: 1, b: 2 });
    await callTool(client, 'echo__add', { a: 3, b: 4 });

    const scrape = await fetch(`${admin}/metrics`);
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    expect(sample(text, okCalls, labels) - before).toBe(2);
    expect(text).toContain('mcp_server_name="echo"');
    expect(text).toMatch(/mcp_gateway_call_duration(_seconds)?_count\{/);
    expect(sample(text, 'mcp_gateway_backend_state', 'mcp_gateway_backend_state="ready"')).toBe(1);
    expect(sample(text, 'mcp_gateway_sessions', 'mcp_gateway_front_door="stdio"')).toBe(1);

    const pushed = await waitFor(
      () =>
        receiver.points.find(
          (point) =>
            point.metric === 'mcp.gateway.calls' &&
            point.attributes['gen_ai.tool.name'] === 'add' &&
            point.attributes['mcp.server.name'] === 'echo' &&
            point.attributes['mcp.gateway.outcome'] === 'ok' &&
            point.value >= 2,
        ),
      { description: 'mcp.gateway.calls at the receiver', timeoutMs: 10_000 },
    );
    expect(pushed.attributes['mcp.method.name']).toBe('tools/call');
    const names = new Set(receiver.points.map((point) => point.metric));
    for (const name of [
      'mcp.gateway.call.duration',
      'mcp.gateway.requests.in_flight',
      'mcp.gateway.sessions',
      'mcp.gateway.backend.state',
      'mcp.gateway.backend.restarts',
      'mcp.gateway.backend.start_time',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('are served at /metrics of the HTTP front door behind its bearer token', async () => {
    const gateway = await startHttpGateway(['--auto-register', config, '--auth-token', TOKEN]);
    cleanups.push(() => gateway.stop());
    const metricsUrl = new URL('/metrics', gateway.url);
    const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };

    expect((await fetch(metricsUrl)).status).toBe(401);
    const before = sample(
      await (await fetch(metricsUrl, auth)).text(),
      'mcp_gateway_calls_total',
      'tool_name="echo"',
    );
    const client = await gateway.connect(TOKEN);
    await callTool(client, 'echo__echo', { text: 'hi' });
    const after = await fetch(metricsUrl, auth);

    expect(after.status).toBe(200);
    expect(after.headers.get('content-type')).toContain('text/plain');
    const text = await after.text();
    expect(sample(text, 'mcp_gateway_calls_total', 'tool_name="echo"') - before).toBe(1);
    expect(sample(text, 'mcp_gateway_sessions', 'mcp_gateway_front_door="http-legacy"')).toBe(1);
    expect(text).not.toContain(TOKEN);
  });
});

describe('the admin listener', () => {
  it('answers /healthz at once and /readyz once the configured backends had their first attempt (stdio: the first message)', async () => {
    const child = spawn(process.execPath, [CLI_PATH, '--auto-register', config, '--admin-port', '0'], {
      cwd: PROJECT_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    cleanups.push(async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const admin = await waitFor(() => /serving the admin listener at (\S+)/.exec(stderr)?.[1], {
      description: 'the admin listener',
    });
    expect(new URL(admin).hostname).toBe('127.0.0.1');

    expect((await fetch(`${admin}/healthz`)).status).toBe(200);
    const starting = await fetch(`${admin}/readyz`);
    expect(starting.status).toBe(503);
    expect(await starting.json()).toEqual({ status: 'starting', starting: ['echo'], failed: [] });
    expect((await fetch(`${admin}/nothing`)).status).toBe(404);
    // A stdio gateway's dashboard is on its admin listener.
    const page = await fetch(`${admin}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect((await fetch(`${admin}/dashboard/app.js`)).status).toBe(200);

    child.stdin.write(
      `${JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'probe', version: '1' },
        },
      })}\n`,
    );
    await waitFor(async () => (await fetch(`${admin}/readyz`)).status === 200, {
      description: '/readyz to say ready',
      timeoutMs: 15_000,
    });
    expect(await (await fetch(`${admin}/readyz`)).json()).toEqual({
      status: 'ready',
      starting: [],
      failed: [],
    });
  });
});
