import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Canned NWS answers, trimmed from real api.weather.gov responses. */
export const ALERTS_TX = {
  type: 'FeatureCollection',
  features: [
    {
      id: 'https://api.weather.gov/alerts/urn:oid:2.49.0.1.840.0.fixture.1',
      type: 'Feature',
      properties: {
        areaDesc: 'Harris, TX; Fort Bend, TX',
        event: 'Flash Flood Warning',
        severity: 'Severe',
        headline: 'Flash Flood Warning issued for Harris and Fort Bend counties',
        description: 'Heavy rain has caused flash flooding. Between 2 and 4 inches of rain have fallen.',
        instruction: 'Turn around, do not drown when encountering flooded roads.',
      },
    },
    {
      id: 'https://api.weather.gov/alerts/urn:oid:2.49.0.1.840.0.fixture.2',
      type: 'Feature',
      properties: {
        areaDesc: 'El Paso, TX',
        event: 'Heat Advisory',
        severity: 'Moderate',
        headline: null,
        description: 'Afternoon temperatures up to 108 degrees.',
        instruction: null,
      },
    },
  ],
};

/** Forecast grid link exactly as api.weather.gov sends it: the server must rebase it on --nws-base-url. */
export const POINTS_TOPEKA = {
  properties: {
    gridId: 'TOP',
    forecast: 'https://api.weather.gov/gridpoints/TOP/32,81/forecast',
    relativeLocation: { properties: { city: 'Linn', state: 'KS' } },
  },
};

export const FORECAST_TOPEKA = {
  properties: {
    periods: [
      {
        number: 1,
        name: 'Tonight',
        isDaytime: false,
        temperature: 47,
        temperatureUnit: 'F',
        windSpeed: '5 to 10 mph',
        windDirection: 'S',
        shortForecast: 'Mostly Clear',
      },
      {
        number: 2,
        name: 'Thursday',
        isDaytime: true,
        temperature: 74,
        temperatureUnit: 'F',
        windSpeed: '10 to 15 mph',
        windDirection: 'SW',
        shortForecast: 'Sunny',
      },
    ],
  },
};

/** A request the fixture received. */
export interface RecordedRequest {
  url: string;
  headers: IncomingHttpHeaders;
}

/** A local stand-in for api.weather.gov on 127.0.0.1. */
export interface NwsFixture {
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const PROBLEM_JSON = { 'content-type': 'application/problem+json' };

/**
 * Serves the canned answers: alerts for TX (two), VT (none), NY (HTTP 500), WA (never answers, for
 * timeouts); points and forecast for 39.7456,-97.0892; HTTP 404 for any other point.
 */
export async function startNwsFixture(): Promise<NwsFixture> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((request, response) => {
    const url = request.url ?? '/';
    requests.push({ url, headers: request.headers });
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/geo+json', ...headers });
      response.end(JSON.stringify(body));
    };
    switch (url) {
      case '/alerts/active?area=TX':
        return json(200, ALERTS_TX);
      case '/alerts/active?area=VT':
        return json(200, { type: 'FeatureCollection', features: [] });
      case '/alerts/active?area=NY':
        return json(
          500,
          { title: 'Unexpected Problem', detail: 'An unexpected problem has occurred.' },
          PROBLEM_JSON,
        );
      case '/alerts/active?area=WA':
        return; // Never answers: the client's timeout must fire.
      case '/points/39.7456,-97.0892':
        return json(200, POINTS_TOPEKA);
      case '/gridpoints/TOP/32,81/forecast':
        return json(200, FORECAST_TOPEKA);
      default:
        return json(404, { title: 'Not Found', detail: `Unable to provide data for ${url}` }, PROBLEM_JSON);
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      // Hanging and keep-alive connections would otherwise hold close() open.
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A base URL where nothing listens: a port just released by a server bound to port 0. */
export async function unusedBaseUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}`;
}
