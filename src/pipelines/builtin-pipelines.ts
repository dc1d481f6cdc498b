/**
 * The two named pipelines the gateway ships with. They expect backends registered as `weather` and `sqlite`
 * (the example servers in `gateway-config.json`).
 */
import type { Pipeline } from './pipeline.js';

/** Alerts for a state and the forecast for a point, fetched concurrently. */
export const WEATHER_ANALYSIS: Pipeline = {
  name: 'weather-analysis',
  description:
    'Weather alerts for a US state and the forecast for a location, fetched concurrently from the "weather" server. ' +
    'Input: state (default "CA"), latitude and longitude (default San Francisco).',
  steps: [
    { id: 'alerts', server: 'weather', tool: 'get_alerts', params: { state: 'CA' }, after: [] },
    {
      id: 'forecast',
      server: 'weather',
      tool: 'get_forecast',
      params: { latitude: 37.7749, longitude: -122.4194 },
      after: [],
    },
  ],
};

/** The tables, the customers table's schema, then the top customers by spend, from the "sqlite" server. */
export const DATABASE_REPORT: Pipeline = {
  name: 'database-report',
  description:
    'A report from the "sqlite" server: its tables, the schema of one table, and the top customers by total spend. ' +
    'Input: table_name (default "customers"), query (replaces the top-customers query).',
  steps: [
    { id: 'tables', server: 'sqlite', tool: 'list_tables', params: {}, after: [] },
    {
      id: 'schema',
      server: 'sqlite',
      tool: 'describe_table',
      params: { table_name: 'customers' },
      after: ['tables'],
    },
    {
      id: 'top_customers',
      server: 'sqlite',
      tool: 'read_query',
      params: {
        query:
          'SELECT c.name, c.city, COUNT(o.id) AS orders, ROUND(SUM(o.quantity * o.unit_price), 2) AS total_spent ' +
          'FROM customers c JOIN orders o ON o.customer_id = c.id ' +
          'GROUP BY c.id ORDER BY total_spent DESC LIMIT 5',
      },
      after: ['tables'],
    },
  ],
};

/** Built-in pipelines by name. */
export const BUILTIN_PIPELINES: readonly Pipeline[] = [WEATHER_ANALYSIS, DATABASE_REPORT];

/** The scenario whose steps the caller supplies. */
export const CUSTOM_SCENARIO = 'custom';
