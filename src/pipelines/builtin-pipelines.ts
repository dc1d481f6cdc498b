/**
 * The two named pipelines the gateway ships with, written in the config file's format. They expect backends
 * registered as `weather` and `sqlite` (the example servers in `gateway-config.json`).
 */
import type { PipelineConfig } from './pipeline-schema.js';

/** Alerts for a state and the forecast for a point, fetched concurrently. */
export const WEATHER_ANALYSIS: PipelineConfig = {
  description:
    'Weather alerts for a US state and the forecast for a location, fetched concurrently from the "weather" server.',
  input: {
    state: { description: 'two-letter US state code for the alerts', default: 'CA' },
    latitude: { description: 'latitude of the forecast location', default: 37.7749 },
    longitude: { description: 'longitude of the forecast location', default: -122.4194 },
  },
  steps: [
    { id: 'alerts', server: 'weather', tool: 'get_alerts', params: { state: '{{input.state}}' } },
    {
      id: 'forecast',
      server: 'weather',
      tool: 'get_forecast',
      params: { latitude: '{{input.latitude}}', longitude: '{{input.longitude}}' },
    },
  ],
};

/** The tables, one table's schema, then the top customers by spend, from the "sqlite" server. */
export const DATABASE_REPORT: PipelineConfig = {
  description:
    'A report from the "sqlite" server: its tables, the schema of one table, and the top customers by total spend.',
  input: {
    table_name: { description: 'the table whose schema is described', default: 'customers' },
    query: {
      description: 'the read query of the last step',
      default:
        'SELECT c.name, c.city, COUNT(o.id) AS orders, ROUND(SUM(o.quantity * o.unit_price), 2) AS total_spent ' +
        'FROM customers c JOIN orders o ON o.customer_id = c.id ' +
        'GROUP BY c.id ORDER BY total_spent DESC LIMIT 5',
    },
  },
  steps: [
    { id: 'tables', server: 'sqlite', tool: 'list_tables' },
    {
      id: 'schema',
      server: 'sqlite',
      tool: 'describe_table',
      params: { table_name: '{{input.table_name}}' },
      after: ['tables'],
    },
    {
      id: 'top_customers',
      server: 'sqlite',
      tool: 'read_query',
      params: { query: '{{input.query}}' },
      after: ['tables'],
    },
  ],
};

/** Built-in pipelines by name, in the order they are listed. */
export const BUILTIN_PIPELINES: Readonly<Record<string, PipelineConfig>> = {
  'weather-analysis': WEATHER_ANALYSIS,
  'database-report': DATABASE_REPORT,
};

/** The scenario whose steps the caller supplies. */
export const CUSTOM_SCENARIO = 'custom';
