import type { AlertsReport, ForecastReport, WeatherAlert, ForecastPeriod } from './weather-data.js';

/** First line of every simulated answer, so nobody mistakes it for a real forecast. */
const SIMULATED_NOTICE =
  'Simulated data (offline): not real weather information. Start the server with --source nws for live National Weather Service data.';

function formatAlert(alert: WeatherAlert): string {
  return [
    `Event: ${alert.event}`,
    `Area: ${alert.area}`,
    `Severity: ${alert.severity}`,
    `Description: ${alert.description ?? 'No description available'}`,
    `Instructions: ${alert.instruction ?? 'No specific instructions provided'}`,
  ].join('\n');
}

function formatPeriod(period: ForecastPeriod): string {
  const temperature =
    period.temperature === null ? 'Unknown' : `${period.temperature}°${period.temperatureUnit}`;
  return [
    `${period.name}:`,
    `Temperature: ${temperature}`,
    `Wind: ${period.windSpeed} ${period.windDirection}`.trimEnd(),
    period.shortForecast,
  ].join('\n');
}

function withNotice(report: { source: string }, body: string): string {
  return report.source === 'simulated' ? `${SIMULATED_NOTICE}\n\n${body}` : body;
}

/** Alerts as readable text, in the layout of the MCP weather quickstart. */
export function formatAlerts(report: AlertsReport): string {
  if (report.alerts.length === 0) return withNotice(report, `No active alerts for ${report.state}.`);
  const omitted = report.totalCount - report.alerts.length;
  const footer = omitted > 0 ? `\n---\n(${omitted} more alerts not shown)` : '';
  const body = report.alerts.map((alert) => formatAlert(alert)).join('\n---\n');
  return withNotice(report, `Active alerts for ${report.state}:\n\n${body}${footer}`);
}

/** Forecast periods as readable text, in the layout of the MCP weather quickstart. */
export function formatForecast(report: ForecastReport): string {
  const place = report.location === null ? '' : ` (${report.location})`;
  const heading = `Forecast for ${report.latitude}, ${report.longitude}${place}:`;
  if (report.periods.length === 0) return withNotice(report, `${heading}\n\nNo forecast periods available.`);
  const body = report.periods.map((period) => formatPeriod(period)).join('\n---\n');
  return withNotice(report, `${heading}\n\n${body}`);
}
