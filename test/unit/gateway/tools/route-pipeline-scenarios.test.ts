/**
 * route_pipeline with named scenarios (the demo pipelines of gateway-config.json, and others of a config), through
 * a real SDK client over an in-memory transport.
 */
import type { Progress } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { formatPipelineOutcome } from '../../../../src/gateway/tools/route-pipeline.js';
import { GatewayError } from '../../../../src/errors/gateway-error.js';
import { PipelineCatalog } from '../../../../src/pipelines/pipeline-catalog.js';
import { useInMemorySession, type ConnectInMemoryOptions } from '../../../helpers/connect-in-memory.js';
import { DEMO_PIPELINES } from '../../../helpers/demo-pipelines.js';
import {
  aborted,
  deferred,
  FakeDirectory,
  FakeBackend,
  optionsOf,
  textResult,
  waitForCancellation,
} from '../../../helpers/fake-directory.js';
import { stepsOf } from '../../../helpers/pipeline-steps.js';
import { onlyText } from '../../../helpers/text-of.js';

const session = useInMemorySession();
const { connected, callTool } = session;

/** Connects with the demo pipelines of gateway-config.json unless told otherwise. */
function connect(directory: FakeDirectory, options: ConnectInMemoryOptions = {}) {
  return session.connect(directory, { pipelines: new PipelineCatalog(DEMO_PIPELINES), ...options });
}

describe('route_pipeline', () => {
  /** A weather backend whose two tools wait for the test to release them, logging when they start and end. */
  function gatedWeather() {
    const events: string[] = [];
    const started = { alerts: deferred(), forecast: deferred() };
    const release = { alerts: deferred(), forecast: deferred() };
    const weather = new FakeBackend('weather', {
      tools: {
        get_alerts: async (args) => {
          events.push('start get_alerts');
          started.alerts.resolve();
          await release.alerts.promise;
          events.push('end get_alerts');
          return textResult(`alerts ${JSON.stringify(args)}`);
        },
        get_forecast: async (args) => {
          events.push('start get_forecast');
          started.forecast.resolve();
          await release.forecast.promise;
          events.push('end get_forecast');
          return textResult(`forecast ${JSON.stringify(args)}`);
        },
      },
    });
    return { weather, events, started, release };
  }

  function instantWeather(): FakeBackend {
    return new FakeBackend('weather', {
      tools: {
        get_alerts: (args) => textResult(`alerts ${JSON.stringify(args)}`),
        get_forecast: (args) => textResult(`forecast ${JSON.stringify(args)}`),
      },
    });
  }

  function instantSqlite(events: string[] = []): FakeBackend {
    return new FakeBackend('sqlite', {
      tools: {
        list_tables: () => {
          events.push('list_tables');
          return textResult('customers\norders');
        },
        describe_table: (args) => {
          events.push('describe_table');
          return textResult(`schema ${JSON.stringify(args)}`);
        },
        read_query: (args) => {
          events.push('read_query');
          return textResult(`rows ${JSON.stringify(args)}`);
        },
      },
    });
  }

  it('runs the two weather-analysis steps concurrently: both have started before either is released', async () => {
    const { weather, events, started, release } = gatedWeather();
    await connect(new FakeDirectory([weather]));

    const pending = callTool('route_pipeline', { scenario: 'weather-analysis' });
    await Promise.all([started.alerts.promise, started.forecast.promise]);
    expect(events).toEqual(['start get_alerts', 'start get_forecast']);
    release.forecast.resolve();
    release.alerts.resolve();
    const result = await pending;

    expect(events.slice(2).sort()).toEqual(['end get_alerts', 'end get_forecast']);
    expect(result.isError).toBeUndefined();
    expect(stepsOf(result).map((step) => [step.id, step.status])).toEqual([
      ['alerts', 'ok'],
      ['forecast', 'ok'],
    ]);
  });

  it('calls the weather tools with the default state and location when no input is given', async () => {
    const weather = instantWeather();
    await connect(new FakeDirectory([weather]));

    await callTool('route_pipeline', { scenario: 'weather-analysis' });

    expect(weather.calls.map((call) => [call.tool, call.args])).toEqual([
      ['get_alerts', { state: 'CA' }],
      ['get_forecast', { latitude: 37.7749, longitude: -122.4194 }],
    ]);
  });

  it('uses the input values given in place of the defaults of the declared inputs they name', async () => {
    const weather = instantWeather();
    await connect(new FakeDirectory([weather]));

    await callTool('route_pipeline', { scenario: 'weather-analysis', input: { state: 'NY' } });

    expect(weather.calls.map((call) => [call.tool, call.args])).toEqual([
      ['get_alerts', { state: 'NY' }],
      ['get_forecast', { latitude: 37.7749, longitude: -122.4194 }],
    ]);
  });

  it('reports an input the pipeline does not declare as an error listing its inputs, without running any step', async () => {
    const weather = instantWeather();
    await connect(new FakeDirectory([weather]));

    const result = await callTool('route_pipeline', {
      scenario: 'weather-analysis',
      input: { state: 'NY', units: 'metric' },
    });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe(
      'pipeline "weather-analysis" has no input "units"; its inputs: state, latitude, longitude',
    );
    expect(weather.calls).toEqual([]);
  });

  it('accepts input as a JSON string', async () => {
    const weather = instantWeather();
    await connect(new FakeDirectory([weather]));

    await callTool('route_pipeline', {
      scenario: 'weather-analysis',
      input: '{"latitude": 40.7, "longitude": -74}',
    });

    expect(weather.calls.map((call) => call.args)).toEqual([
      { state: 'CA' },
      { latitude: 40.7, longitude: -74 },
    ]);
  });

  it('reports input that is not a JSON object as an error without running any step', async () => {
    const weather = instantWeather();
    await connect(new FakeDirectory([weather]));

    const result = await callTool('route_pipeline', { scenario: 'weather-analysis', input: '"NY"' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe('input must be a JSON object, got a string');
    expect(weather.calls).toEqual([]);
  });

  it('runs describe_table and read_query of database-report only after list_tables has finished', async () => {
    const events: string[] = [];
    const tablesStarted = deferred();
    const releaseTables = deferred();
    const sqlite = instantSqlite(events);
    sqlite.setTool('list_tables', async () => {
      events.push('start list_tables');
      tablesStarted.resolve();
      await releaseTables.promise;
      events.push('end list_tables');
      return textResult('customers\norders');
    });
    await connect(new FakeDirectory([sqlite]));

    const pending = callTool('route_pipeline', { scenario: 'database-report' });
    await tablesStarted.promise;
    // A full round trip through the gateway: steps that did not wait for list_tables would have started by now.
    await connected().ping();
    expect(events).toEqual(['start list_tables']);
    releaseTables.resolve();
    const result = await pending;

    expect(events).toEqual(['start list_tables', 'end list_tables', 'describe_table', 'read_query']);
    expect(stepsOf(result).map((step) => [step.id, step.tool, step.status])).toEqual([
      ['tables', 'list_tables', 'ok'],
      ['schema', 'describe_table', 'ok'],
      ['top_customers', 'read_query', 'ok'],
    ]);
  });

  it('replaces the database-report query with input.query and keeps the other params', async () => {
    const sqlite = instantSqlite();
    await connect(new FakeDirectory([sqlite]));

    await callTool('route_pipeline', { scenario: 'database-report', input: { query: 'SELECT 1' } });

    expect(sqlite.calls.map((call) => [call.tool, call.args])).toEqual([
      ['list_tables', {}],
      ['describe_table', { table_name: 'customers' }],
      ['read_query', { query: 'SELECT 1' }],
    ]);
  });

  it('reports a failing step and marks the steps depending on it skipped, without calling them', async () => {
    const sqlite = instantSqlite();
    sqlite.setTool('list_tables', () =>
      Promise.reject(new GatewayError('backend_error', 'sqlite.list_tables failed: database is locked')),
    );
    await connect(new FakeDirectory([sqlite]));

    const result = await callTool('route_pipeline', { scenario: 'database-report' });

    expect(sqlite.calls.map((call) => call.tool)).toEqual(['list_tables']);
    expect(result.isError).toBe(true);
    expect(stepsOf(result).map((step) => [step.id, step.status, step.error])).toEqual([
      ['tables', 'error', 'sqlite.list_tables failed: database is locked'],
      ['schema', 'skipped', 'skipped: tables did not succeed'],
      ['top_customers', 'skipped', 'skipped: tables did not succeed'],
    ]);
    expect(onlyText(result)).toContain(
      '## schema: sqlite.describe_table - skipped (0 ms)\nerror: skipped: tables did not succeed',
    );
  });

  it('does not hide a successful step behind a failing one, and does not mark a partial success as an error', async () => {
    const weather = instantWeather();
    weather.setTool('get_alerts', { content: [{ type: 'text', text: 'NWS unavailable' }], isError: true });
    await connect(new FakeDirectory([weather]));

    const result = await callTool('route_pipeline', { scenario: 'weather-analysis' });

    expect(result.isError).toBe(false);
    expect(stepsOf(result).map((step) => [step.id, step.status, step.error])).toEqual([
      ['alerts', 'error', 'NWS unavailable'],
      ['forecast', 'ok', undefined],
    ]);
    const text = onlyText(result);
    expect(text).toMatch(/^Pipeline "weather-analysis": 1\/2 step\(s\) succeeded in \d+ ms\n/);
    expect(text).toMatch(/## alerts: weather\.get_alerts - error \(\d+ ms\)\nNWS unavailable\n/);
    expect(text).toMatch(
      /## forecast: weather\.get_forecast - ok \(\d+ ms\)\nforecast \{"latitude":37\.7749,"longitude":-122\.4194\}$/,
    );
  });

  it('reports a step on an unregistered server as a failed step', async () => {
    await connect(new FakeDirectory());

    const result = await callTool('route_pipeline', { scenario: 'weather-analysis' });

    expect(result.isError).toBe(true);
    expect(stepsOf(result).map((step) => step.error)).toEqual([
      'unknown server "weather"; registered: none',
      'unknown server "weather"; registered: none',
    ]);
  });

  it('returns scenario, ok, durationMs and each step with id, server, tool, status, durationMs and result', async () => {
    await connect(new FakeDirectory([instantWeather()]));

    const result = await callTool('route_pipeline', { scenario: 'weather-analysis', input: { state: 'TX' } });

    const structured = result.structuredContent as Record<string, unknown>;
    expect(Object.keys(structured)).toEqual(['scenario', 'ok', 'durationMs', 'steps']);
    expect(structured).toEqual({
      scenario: 'weather-analysis',
      ok: true,
      durationMs: expect.any(Number) as number,
      steps: [
        {
          id: 'alerts',
          server: 'weather',
          tool: 'get_alerts',
          status: 'ok',
          durationMs: expect.any(Number) as number,
          result: textResult('alerts {"state":"TX"}'),
        },
        {
          id: 'forecast',
          server: 'weather',
          tool: 'get_forecast',
          status: 'ok',
          durationMs: expect.any(Number) as number,
          result: textResult('forecast {"latitude":37.7749,"longitude":-122.4194}'),
        },
      ],
    });
    expect(structured.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reports an unknown scenario as an error listing the scenarios, config pipelines included', async () => {
    const pipelines = new PipelineCatalog({
      ...DEMO_PIPELINES,
      nightly: { steps: [{ server: 'sqlite', tool: 'export' }] },
    });
    await connect(new FakeDirectory(), { pipelines });

    const result = await callTool('route_pipeline', { scenario: 'weather' });

    expect(result).toEqual({
      content: [
        {
          type: 'text',
          text: 'unknown scenario "weather"; available: weather-analysis, database-report, nightly, custom',
        },
      ],
      isError: true,
    });
  });

  it('runs a pipeline declared in the config by its name', async () => {
    const sqlite = new FakeBackend('sqlite', {
      tools: { export: (args) => textResult(JSON.stringify(args)) },
    });
    const pipelines = new PipelineCatalog({
      nightly: {
        input: { table: { default: 'orders' } },
        steps: [{ server: 'sqlite', tool: 'export', params: { table: '{{input.table}}' } }],
      },
    });
    await connect(new FakeDirectory([sqlite]), { pipelines });

    const result = await callTool('route_pipeline', { scenario: 'nightly', input: { table: 'customers' } });

    expect(sqlite.calls.map((call) => call.args)).toEqual([{ table: 'customers' }]);
    expect(stepsOf(result).map((step) => [step.id, step.status])).toEqual([['step1', 'ok']]);
  });

  it('sends a progress notification as each step ends, in the order the steps end', async () => {
    const { weather, started, release } = gatedWeather();
    await connect(new FakeDirectory([weather]));
    const received: Progress[] = [];
    const firstProgress = deferred();

    const pending = callTool(
      'route_pipeline',
      { scenario: 'weather-analysis' },
      {
        onprogress: (progress) => {
          received.push(progress);
          firstProgress.resolve();
        },
      },
    );
    await Promise.all([started.alerts.promise, started.forecast.promise]);
    release.forecast.resolve();
    await firstProgress.promise;
    expect(received).toEqual([{ progress: 1, total: 2, message: 'forecast: ok' }]);
    release.alerts.resolve();
    await pending;

    expect(received).toEqual([
      { progress: 1, total: 2, message: 'forecast: ok' },
      { progress: 2, total: 2, message: 'alerts: ok' },
    ]);
  });

  it('gives each step call the abort signal of the request, and aborts it when the client cancels', async () => {
    const started = deferred();
    const weather = instantWeather();
    weather.setTool(
      'get_alerts',
      waitForCancellation(() => started.resolve()),
    );
    await connect(new FakeDirectory([weather]));
    const controller = new AbortController();

    const pending = callTool(
      'route_pipeline',
      { scenario: 'weather-analysis' },
      { signal: controller.signal },
    );
    await started.promise;
    const signal = optionsOf(weather.calls[0]).signal;
    expect(signal?.aborted).toBe(false);
    controller.abort('user pressed stop');

    await expect(pending).rejects.toThrow();
    await aborted(signal);
    expect(signal?.aborted).toBe(true);
  });
});

describe('formatPipelineOutcome', () => {
  it('shows the totals, then each step with its output and, when different, its error', () => {
    const text = formatPipelineOutcome({
      scenario: 'custom',
      ok: false,
      durationMs: 12,
      steps: [
        {
          id: 'one',
          server: 'a',
          tool: 'x',
          status: 'ok',
          durationMs: 3,
          result: { content: [{ type: 'text', text: 'fine' }] },
        },
        {
          id: 'two',
          server: 'b',
          tool: 'y',
          status: 'error',
          durationMs: 4,
          result: { content: [{ type: 'text', text: 'bad input' }], isError: true },
          error: 'bad input',
        },
        { id: 'three', server: 'c', tool: 'z', status: 'error', durationMs: 5, error: 'c.z timed out' },
        {
          id: 'four',
          server: 'c',
          tool: 'w',
          status: 'skipped',
          durationMs: 0,
          error: 'skipped: three did not succeed',
        },
      ],
    });

    expect(text).toBe(
      [
        'Pipeline "custom": 1/4 step(s) succeeded in 12 ms',
        '',
        '## one: a.x - ok (3 ms)',
        'fine',
        '',
        '## two: b.y - error (4 ms)',
        'bad input',
        '',
        '## three: c.z - error (5 ms)',
        'error: c.z timed out',
        '',
        '## four: c.w - skipped (0 ms)',
        'error: skipped: three did not succeed',
      ].join('\n'),
    );
  });
});
