import { z } from 'zod';
import type { NwsClient } from './nws-client.js';
import {
  MAX_ALERTS,
  roundCoordinate,
  type AlertsReport,
  type ForecastPeriod,
  type ForecastReport,
  type WeatherSource,
} from './weather-data.js';

// Only the fields the tools use are validated: the NWS documents many more, and they change over time.
const alertsResponseSchema = z.object({
  features: z.array(
    z.object({
      properties: z.object({
        event: z.string().nullish(),
        areaDesc: z.string().nullish(),
        severity: z.string().nullish(),
        headline: z.string().nullish(),
        description: z.string().nullish(),
        instruction: z.string().nullish(),
      }),
    }),
  ),
});

const pointsResponseSchema = z.object({
  properties: z.object({
    forecast: z.string().nullish(),
    relativeLocation: z
      .object({ properties: z.object({ city: z.string().nullish(), state: z.string().nullish() }) })
      .nullish(),
  }),
});

// Newer API versions may send temperature as a QuantitativeValue object instead of a number.
const temperatureSchema = z.union([z.number(), z.object({ value: z.number().nullable() })]).nullish();

const forecastResponseSchema = z.object({
  properties: z.object({
    periods: z.array(
      z.object({
        name: z.string().nullish(),
        isDaytime: z.boolean().nullish(),
        temperature: temperatureSchema,
        temperatureUnit: z.string().nullish(),
        windSpeed: z.string().nullish(),
        windDirection: z.string().nullish(),
        shortForecast: z.string().nullish(),
      }),
    ),
  }),
});

type RawPeriod = z.infer<typeof forecastResponseSchema>['properties']['periods'][number];

function toPeriod(raw: RawPeriod): ForecastPeriod {
  const temperature =
    typeof raw.temperature === 'object' ? (raw.temperature?.value ?? null) : raw.temperature;
  return {
    name: raw.name ?? 'Unknown',
    isDaytime: raw.isDaytime ?? null,
    temperature: temperature ?? null,
    temperatureUnit: raw.temperatureUnit ?? 'F',
    windSpeed: raw.windSpeed ?? 'Unknown',
    windDirection: raw.windDirection ?? '',
    shortForecast: raw.shortForecast ?? 'No forecast available',
  };
}

/** Live data from the US National Weather Service API (US locations only). */
export class NwsWeatherSource implements WeatherSource {
  readonly kind = 'nws' as const;

  constructor(private readonly client: NwsClient) {}

  async getAlerts(state: string): Promise<AlertsReport> {
    const data = await this.client.getJson(
      `alerts/active?area=${encodeURIComponent(state)}`,
      alertsResponseSchema,
    );
    const alerts = data.features.slice(0, MAX_ALERTS).map(({ properties: p }) => ({
      event: p.event ?? 'Unknown',
      area: p.areaDesc ?? 'Unknown',
      severity: p.severity ?? 'Unknown',
      headline: p.headline ?? null,
      description: p.description ?? null,
      instruction: p.instruction ?? null,
    }));
    return { source: this.kind, state, totalCount: data.features.length, alerts };
  }

  async getForecast(latitude: number, longitude: number): Promise<ForecastReport> {
    const lat = roundCoordinate(latitude);
    const lon = roundCoordinate(longitude);
    // The forecast lives on a grid: /points maps the coordinates to the grid's forecast URL.
    const points = await this.client.getJson(`points/${lat},${lon}`, pointsResponseSchema);
    const forecastUrl = points.properties.forecast;
    if (!forecastUrl) {
      throw new Error(
        `NWS has no forecast for ${lat}, ${lon} (GET /points/${lat},${lon} returned no forecast URL)`,
      );
    }
    const forecast = await this.client.getJson(forecastUrl, forecastResponseSchema);
    const place = points.properties.relativeLocation?.properties;
    const location = place?.city ? [place.city, place.state].filter(Boolean).join(', ') : null;
    return {
      source: this.kind,
      latitude: lat,
      longitude: lon,
      location,
      periods: forecast.properties.periods.map((period) => toPeriod(period)),
    };
  }
}
