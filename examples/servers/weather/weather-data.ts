import { z } from 'zod';

/** Where the data came from; repeated in every result so a simulated answer is never mistaken for a real one. */
export const sourceKindSchema = z
  .enum(['simulated', 'nws'])
  .describe('Data source: "simulated" (offline, deterministic) or "nws" (live National Weather Service)');

/** One active weather alert. */
export const alertSchema = z.object({
  event: z.string().describe('Alert type, e.g. "Flood Watch"'),
  area: z.string().describe('Affected area description'),
  severity: z.string().describe('Minor, Moderate, Severe, Extreme or Unknown'),
  headline: z.string().nullable().describe('One-line summary, when the source provides one'),
  description: z.string().nullable().describe('Full alert text'),
  instruction: z.string().nullable().describe('Recommended actions, when any'),
});

/** One forecast period (half a day). */
export const forecastPeriodSchema = z.object({
  name: z.string().describe('Period name, e.g. "Tonight" or "Thursday"'),
  isDaytime: z.boolean().nullable().describe('Whether the period is daytime'),
  temperature: z.number().nullable().describe('Temperature in temperatureUnit'),
  temperatureUnit: z.string().describe('"F" or "C"'),
  windSpeed: z.string().describe('Wind speed, e.g. "5 to 10 mph"'),
  windDirection: z.string().describe('Compass direction, e.g. "NW"'),
  shortForecast: z.string().describe('Short forecast, e.g. "Partly Cloudy"'),
});

/** Structured output of `get_alerts` (an SDK output-schema shape). */
export const alertsReportShape = {
  source: sourceKindSchema,
  state: z.string().describe('Upper-case two-letter state code'),
  totalCount: z.number().int().describe('Number of active alerts, including any left out of `alerts`'),
  alerts: z.array(alertSchema).describe('The active alerts (at most 20)'),
};

/** Structured output of `get_forecast` (an SDK output-schema shape). */
export const forecastReportShape = {
  source: sourceKindSchema,
  latitude: z.number().describe('Latitude the forecast is for'),
  longitude: z.number().describe('Longitude the forecast is for'),
  location: z.string().nullable().describe('Nearest named place ("City, ST"), when the source knows it'),
  periods: z.array(forecastPeriodSchema).describe('Forecast periods, soonest first'),
};

export type SourceKind = z.infer<typeof sourceKindSchema>;
export type WeatherAlert = z.infer<typeof alertSchema>;
export type ForecastPeriod = z.infer<typeof forecastPeriodSchema>;
export type AlertsReport = z.infer<z.ZodObject<typeof alertsReportShape>>;
export type ForecastReport = z.infer<z.ZodObject<typeof forecastReportShape>>;

/** Most alerts listed in one answer: a busy state can have dozens of long alerts. */
export const MAX_ALERTS = 20;

/** A provider of alerts and forecasts; the server picks one with `--source`. */
export interface WeatherSource {
  readonly kind: SourceKind;
  /** Active alerts for an upper-case state code. */
  getAlerts(state: string): Promise<AlertsReport>;
  /** Forecast for a point (latitude -90..90, longitude -180..180). */
  getForecast(latitude: number, longitude: number): Promise<ForecastReport>;
}

/**
 * Rounds a coordinate to 4 decimals (about 11 m), the precision NWS `/points` accepts; the simulated
 * source uses the same rounding so both sources treat nearby inputs alike. `+ 0` turns -0 into 0.
 */
export function roundCoordinate(value: number): number {
  return Number(value.toFixed(4)) + 0;
}
