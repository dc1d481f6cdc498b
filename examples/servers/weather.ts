/**
 * Example backend: a stdio MCP weather server with `get_alerts` and `get_forecast`.
 * Offline and deterministic by default (`--source simulated`); `--source nws` asks the US National
 * Weather Service API.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { exitWithUsageError, parseCli } from './shared/parse-cli.js';
import { runStdioServer } from './shared/run-stdio-server.js';
import { guardTool, textResult } from './shared/tool-result.js';
import { formatAlerts, formatForecast } from './weather/format-weather.js';
import { NwsClient } from './weather/nws-client.js';
import { NwsWeatherSource } from './weather/nws-source.js';
import { SimulatedWeatherSource } from './weather/simulated-source.js';
import { isUsStateCode } from './weather/us-states.js';
import { alertsReportShape, forecastReportShape, type WeatherSource } from './weather/weather-data.js';

const NAME = 'weather';
const USAGE = `Usage: node weather.js [options]

  --source <simulated|nws>  Data source (default: simulated, offline and deterministic)
  --nws-base-url <url>      NWS API root for --source nws (default: https://api.weather.gov)
  --timeout-ms <ms>         Timeout of each NWS request (default: 10000)
  --user-agent <text>       User-Agent sent to the NWS, which asks clients to identify themselves
  --help                    Show this help`;

const DEFAULT_USER_AGENT =
  'mcp-multi-server-gateway-weather-example/0.1 (+https://www.npmjs.com/package/mcp-multi-server-gateway)';

const args = parseCli(NAME, USAGE, {
  source: { type: 'string', default: 'simulated' },
  'nws-base-url': { type: 'string', default: 'https://api.weather.gov' },
  'timeout-ms': { type: 'string', default: '10000' },
  'user-agent': { type: 'string', default: DEFAULT_USER_AGENT },
});

function createSource(): WeatherSource {
  if (args.source === 'simulated') return new SimulatedWeatherSource();
  if (args.source !== 'nws') exitWithUsageError(NAME, USAGE, `unknown --source "${args.source}"`);
  const timeoutMs = Number(args['timeout-ms']);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    exitWithUsageError(NAME, USAGE, '--timeout-ms must be a positive integer');
  }
  if (!URL.canParse(args['nws-base-url']) || !/^https?:$/.test(new URL(args['nws-base-url']).protocol)) {
    exitWithUsageError(NAME, USAGE, '--nws-base-url must be an http(s) URL');
  }
  return new NwsWeatherSource(
    new NwsClient({ baseUrl: args['nws-base-url'], userAgent: args['user-agent'], timeoutMs }),
  );
}

const source = createSource();
const server = new McpServer({ name: 'example-weather', version: '0.1.0' });
const live = source.kind === 'nws';

server.registerTool(
  'get_alerts',
  {
    title: 'Weather alerts',
    description:
      'Active weather alerts (event, area, severity, description, instructions) for a US state or territory. ' +
      (live ? 'Live data from the US National Weather Service.' : 'Simulated offline data, not real alerts.'),
    inputSchema: {
      state: z
        .string()
        .regex(/^[A-Za-z]{2}$/, { message: 'state must be a two-letter code such as CA or ny', abort: true })
        .refine((code) => isUsStateCode(code), { message: 'state is not a US state or territory code' })
        .describe('Two-letter US state or territory code, case-insensitive (e.g. "CA", "ny")'),
    },
    outputSchema: alertsReportShape,
    annotations: { readOnlyHint: true, openWorldHint: live },
  },
  ({ state }) =>
    guardTool(async () => {
      const report = await source.getAlerts(state.toUpperCase());
      return textResult(formatAlerts(report), report);
    }),
);

server.registerTool(
  'get_forecast',
  {
    title: 'Weather forecast',
    description:
      'Forecast periods (name, temperature, wind, short forecast) for a latitude/longitude. ' +
      (live
        ? 'Live data from the US National Weather Service: US locations only.'
        : 'Simulated offline data derived from the coordinates, not a real forecast.'),
    inputSchema: {
      latitude: z
        .number()
        .min(-90, 'latitude must be between -90 and 90')
        .max(90, 'latitude must be between -90 and 90')
        .describe('Latitude in decimal degrees, -90 to 90 (e.g. 38.8894)'),
      longitude: z
        .number()
        .min(-180, 'longitude must be between -180 and 180')
        .max(180, 'longitude must be between -180 and 180')
        .describe('Longitude in decimal degrees, -180 to 180 (e.g. -77.0352)'),
    },
    outputSchema: forecastReportShape,
    annotations: { readOnlyHint: true, openWorldHint: live },
  },
  ({ latitude, longitude }) =>
    guardTool(async () => {
      const report = await source.getForecast(latitude, longitude);
      return textResult(formatForecast(report), report);
    }),
);

await runStdioServer(server, {
  name: NAME,
  detail: live ? `source: nws at ${args['nws-base-url']}` : 'source: simulated',
});
