import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExampleServers, callTool } from './example-server.js';
import { ALERTS_TX, startNwsFixture, unusedBaseUrl, type NwsFixture } from './nws-fixture.js';

const SIMULATED_NOTICE = 'Simulated data (offline):';

describe('weather server, simulated source (default)', () => {
  const servers = new ExampleServers();
  let client: Client;

  beforeAll(async () => {
    client = await servers.start('weather');
  });
  afterAll(() => servers.closeAll());

  it('lists both tools with described parameters and output schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['get_alerts', 'get_forecast']);
    for (const tool of tools) {
      expect(tool.description).toMatch(/simulated/i);
      expect(tool.outputSchema).toBeDefined();
      const properties = Object.values(tool.inputSchema.properties ?? {}) as { description?: string }[];
      expect(properties.length).toBeGreaterThan(0);
      for (const property of properties) expect(property.description).toBeTruthy();
    }
  });

  it('answers the same forecast for the same coordinates, even from another process', async () => {
    const first = await callTool(client, 'get_forecast', { latitude: 47.6062, longitude: -122.3321 });
    const again = await callTool(client, 'get_forecast', { latitude: 47.6062, longitude: -122.3321 });
    const otherClient = await servers.start('weather');
    const otherProcess = await callTool(otherClient, 'get_forecast', {
      latitude: 47.6062,
      longitude: -122.3321,
    });
    const elsewhere = await callTool(client, 'get_forecast', { latitude: 25.7617, longitude: -80.1918 });

    expect(first.isError).toBe(false);
    expect(again).toEqual(first);
    expect(otherProcess).toEqual(first);
    expect(elsewhere.text).not.toEqual(first.text);
  });

  it('labels the forecast as simulated and renders every period as text', async () => {
    const { text, structured } = await callTool(client, 'get_forecast', {
      latitude: 40.7128,
      longitude: -74.006,
    });
    expect(text.startsWith(SIMULATED_NOTICE)).toBe(true);
    expect(text).toContain('Forecast for 40.7128, -74.006:');

    const report = structured as {
      source: string;
      latitude: number;
      location: null;
      periods: {
        name: string;
        temperature: number;
        windSpeed: string;
        windDirection: string;
        shortForecast: string;
      }[];
    };
    expect(report.source).toBe('simulated');
    expect(report.latitude).toBe(40.7128);
    expect(report.location).toBeNull();
    expect(report.periods).toHaveLength(6);
    expect(report.periods.slice(0, 2).map((period) => period.name)).toEqual(['Today', 'Tonight']);
    for (const period of report.periods) {
      expect(text).toContain(
        `${period.name}:\nTemperature: ${period.temperature}°F\nWind: ${period.windSpeed} ${period.windDirection}\n${period.shortForecast}`,
      );
    }
    // Daytime highs above the following night's low: the simulation should at least look plausible.
    expect(report.periods[0]!.temperature).toBeGreaterThan(report.periods[1]!.temperature);
  });

  it('accepts state codes in any case and renders alerts in the quickstart layout', async () => {
    const upper = await callTool(client, 'get_alerts', { state: 'CA' });
    const lower = await callTool(client, 'get_alerts', { state: 'ca' });
    expect(lower).toEqual(upper);
    expect(upper.text.startsWith(SIMULATED_NOTICE)).toBe(true);
    expect(upper.text).toContain('Active alerts for CA:');

    const report = upper.structured as {
      state: string;
      totalCount: number;
      alerts: { event: string; area: string; severity: string; description: string; instruction: string }[];
    };
    expect(report.state).toBe('CA');
    expect(report.totalCount).toBe(report.alerts.length);
    expect(report.alerts.length).toBeGreaterThan(0);
    for (const alert of report.alerts) {
      expect(alert.area).toContain('California');
      expect(upper.text).toContain(
        `Event: ${alert.event}\nArea: ${alert.area}\nSeverity: ${alert.severity}\n` +
          `Description: ${alert.description}\nInstructions: ${alert.instruction}`,
      );
    }
  });

  it('reports states without simulated alerts plainly', async () => {
    const { isError, text, structured } = await callTool(client, 'get_alerts', { state: 'ar' });
    expect(isError).toBe(false);
    expect(text).toBe(`${text.split('\n')[0]}\n\nNo active alerts for AR.`);
    expect(structured).toMatchObject({ source: 'simulated', state: 'AR', totalCount: 0, alerts: [] });
  });

  it.each([
    ['get_alerts', { state: 'ZZ' }, 'state is not a US state or territory code'],
    ['get_alerts', { state: 'Texas' }, 'state must be a two-letter code'],
    ['get_alerts', { state: 42 }, 'state'],
    ['get_forecast', { latitude: 91, longitude: 0 }, 'latitude must be between -90 and 90'],
    ['get_forecast', { latitude: 0, longitude: -180.5 }, 'longitude must be between -180 and 180'],
    ['get_forecast', { latitude: 'north', longitude: 0 }, 'latitude'],
    ['get_forecast', { latitude: 10 }, 'longitude'],
  ])('%s refuses invalid input %j with an error result', async (tool, args, message) => {
    const { isError, text } = await callTool(client, tool, args);
    expect(isError).toBe(true);
    expect(text).toContain('Input validation error');
    expect(text).toContain(message);
  });
});

describe('weather server, --source nws against a local fixture', () => {
  const servers = new ExampleServers();
  let fixture: NwsFixture;
  let client: Client;

  beforeAll(async () => {
    fixture = await startNwsFixture();
    client = await servers.start('weather', ['--source', 'nws', '--nws-base-url', fixture.baseUrl]);
  });
  afterAll(async () => {
    await servers.closeAll();
    await fixture.close();
  });

  it('describes the tools as live data', async () => {
    const { tools } = await client.listTools();
    for (const tool of tools) expect(tool.description).toContain('National Weather Service');
  });

  it('fetches alerts with NWS headers and formats every alert', async () => {
    const before = fixture.requests.length;
    const { isError, text, structured } = await callTool(client, 'get_alerts', { state: 'tx' });

    expect(isError).toBe(false);
    const request = fixture.requests[before]!;
    expect(request.url).toBe('/alerts/active?area=TX');
    expect(request.headers.accept).toBe('application/geo+json');
    expect(request.headers['user-agent']).toMatch(/mcp-multi-server-gateway/);

    expect(text).not.toContain(SIMULATED_NOTICE);
    expect(text).toBe(
      [
        'Active alerts for TX:',
        '',
        'Event: Flash Flood Warning',
        'Area: Harris, TX; Fort Bend, TX',
        'Severity: Severe',
        'Description: Heavy rain has caused flash flooding. Between 2 and 4 inches of rain have fallen.',
        'Instructions: Turn around, do not drown when encountering flooded roads.',
        '---',
        'Event: Heat Advisory',
        'Area: El Paso, TX',
        'Severity: Moderate',
        'Description: Afternoon temperatures up to 108 degrees.',
        'Instructions: No specific instructions provided',
      ].join('\n'),
    );
    expect(structured).toEqual({
      source: 'nws',
      state: 'TX',
      totalCount: 2,
      alerts: ALERTS_TX.features.map(({ properties: p }) => ({
        event: p.event,
        area: p.areaDesc,
        severity: p.severity,
        headline: p.headline,
        description: p.description,
        instruction: p.instruction,
      })),
    });
  });

  it('says so when a state has no active alerts', async () => {
    const { isError, text } = await callTool(client, 'get_alerts', { state: 'VT' });
    expect(isError).toBe(false);
    expect(text).toBe('No active alerts for VT.');
  });

  it('follows /points to the grid forecast, rebased on the fixture URL', async () => {
    const before = fixture.requests.length;
    const { isError, text, structured } = await callTool(client, 'get_forecast', {
      latitude: 39.7456,
      longitude: -97.0892,
    });

    expect(isError).toBe(false);
    expect(fixture.requests.slice(before).map((request) => request.url)).toEqual([
      '/points/39.7456,-97.0892',
      '/gridpoints/TOP/32,81/forecast',
    ]);
    expect(text).toBe(
      [
        'Forecast for 39.7456, -97.0892 (Linn, KS):',
        '',
        'Tonight:',
        'Temperature: 47°F',
        'Wind: 5 to 10 mph S',
        'Mostly Clear',
        '---',
        'Thursday:',
        'Temperature: 74°F',
        'Wind: 10 to 15 mph SW',
        'Sunny',
      ].join('\n'),
    );
    expect(structured).toMatchObject({
      source: 'nws',
      latitude: 39.7456,
      longitude: -97.0892,
      location: 'Linn, KS',
    });
    expect((structured as { periods: unknown[] }).periods).toHaveLength(2);
  });

  it('returns HTTP errors as error results naming the path and status', async () => {
    const alerts = await callTool(client, 'get_alerts', { state: 'NY' });
    expect(alerts.isError).toBe(true);
    expect(alerts.text).toBe(
      'NWS request failed: GET /alerts/active?area=NY returned HTTP 500 Internal Server Error: ' +
        'An unexpected problem has occurred.',
    );

    const forecast = await callTool(client, 'get_forecast', { latitude: 51.5072, longitude: -0.1276 });
    expect(forecast.isError).toBe(true);
    expect(forecast.text).toContain(
      'NWS request failed: GET /points/51.5072,-0.1276 returned HTTP 404 Not Found',
    );
  });

  it('gives up on a slow NWS after --timeout-ms', async () => {
    const impatient = await servers.start('weather', [
      '--source',
      'nws',
      '--nws-base-url',
      fixture.baseUrl,
      '--timeout-ms',
      '300',
    ]);
    const { isError, text } = await callTool(impatient, 'get_alerts', { state: 'WA' });
    expect(isError).toBe(true);
    expect(text).toBe('NWS request timed out after 300 ms: GET /alerts/active?area=WA');
  });

  it('reports an unreachable NWS as an error result', async () => {
    const unreachable = await servers.start('weather', [
      '--source',
      'nws',
      '--nws-base-url',
      await unusedBaseUrl(),
    ]);
    const { isError, text } = await callTool(unreachable, 'get_alerts', { state: 'TX' });
    expect(isError).toBe(true);
    expect(text).toMatch(/^NWS request failed: GET \/alerts\/active\?area=TX \(fetch failed: .*ECONNREFUSED/);
  });
});
