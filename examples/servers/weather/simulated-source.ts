import { SeededRandom, hashString } from '../shared/seeded-random.js';
import { US_STATES } from './us-states.js';
import {
  roundCoordinate,
  type AlertsReport,
  type ForecastPeriod,
  type ForecastReport,
  type WeatherAlert,
  type WeatherSource,
} from './weather-data.js';

interface AlertTemplate {
  event: string;
  severity: string;
  /** `{n}` is replaced by a number drawn from `range`. */
  description: string;
  instruction: string;
  range: readonly [number, number];
}

const ALERT_TEMPLATES: readonly [AlertTemplate, ...AlertTemplate[]] = [
  {
    event: 'Heat Advisory',
    severity: 'Moderate',
    description: 'Heat index values up to {n} degrees expected through the afternoon.',
    instruction: 'Drink plenty of fluids, stay in an air-conditioned room, and stay out of the sun.',
    range: [103, 112],
  },
  {
    event: 'Flood Watch',
    severity: 'Moderate',
    description: 'Rainfall totals of {n} inches may cause flooding of rivers, creeks and low-lying areas.',
    instruction: 'Monitor later forecasts and be ready to act if a Flood Warning is issued.',
    range: [2, 5],
  },
  {
    event: 'Winter Storm Warning',
    severity: 'Severe',
    description: 'Heavy snow expected. Total snow accumulations of {n} inches.',
    instruction: 'If you must travel, keep a flashlight, food and water in your vehicle.',
    range: [6, 14],
  },
  {
    event: 'Red Flag Warning',
    severity: 'Severe',
    description: 'Critical fire weather conditions with relative humidity as low as {n} percent.',
    instruction: 'Avoid outdoor burning and anything that could throw a spark.',
    range: [5, 15],
  },
  {
    event: 'Wind Advisory',
    severity: 'Minor',
    description: 'Southwest winds 25 to 35 mph with gusts up to {n} mph.',
    instruction: 'Secure outdoor objects and use extra caution when driving high-profile vehicles.',
    range: [45, 58],
  },
  {
    event: 'Dense Fog Advisory',
    severity: 'Minor',
    description: 'Visibility of {n} hundred feet or less in dense fog.',
    instruction: 'Slow down, use low-beam headlights and leave plenty of distance ahead of you.',
    range: [2, 9],
  },
  {
    event: 'Severe Thunderstorm Warning',
    severity: 'Severe',
    description: 'Thunderstorms capable of {n} mph wind gusts and quarter size hail.',
    instruction: 'Move to an interior room on the lowest floor of a building.',
    range: [60, 75],
  },
];

const REGIONS = ['Northern', 'Southern', 'Eastern', 'Western', 'Central'] as const;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const DIRECTIONS = ['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW'] as const;
const DAY_SKIES = ['Sunny', 'Mostly Sunny', 'Partly Sunny', 'Mostly Cloudy', 'Chance Rain Showers'] as const;
const NIGHT_SKIES = [
  'Clear',
  'Mostly Clear',
  'Partly Cloudy',
  'Mostly Cloudy',
  'Chance Rain Showers',
] as const;
/** Three days of day/night periods, like the first half of an NWS forecast. */
const PERIOD_COUNT = 6;

function simulateAlert(rng: SeededRandom, template: AlertTemplate, stateName: string): WeatherAlert {
  const regions = rng.shuffled(REGIONS).slice(0, rng.int(1, 2));
  const amount = String(rng.int(template.range[0], template.range[1]));
  return {
    event: template.event,
    area: regions.map((region) => `${region} ${stateName}`).join('; '),
    severity: template.severity,
    headline: `${template.event} issued for parts of ${stateName}`,
    description: template.description.replace('{n}', amount),
    instruction: template.instruction,
  };
}

function periodName(index: number, firstWeekday: number): string {
  if (index === 0) return 'Today';
  if (index === 1) return 'Tonight';
  const weekday = WEEKDAYS[(firstWeekday + Math.floor(index / 2)) % WEEKDAYS.length] ?? 'Sunday';
  return index % 2 === 0 ? weekday : `${weekday} Night`;
}

function simulatePeriod(
  rng: SeededRandom,
  index: number,
  firstWeekday: number,
  latitude: number,
): ForecastPeriod {
  const isDaytime = index % 2 === 0;
  // Warmer near the equator, colder toward the poles, so the numbers look plausible for the place.
  const seasonalHigh = Math.round(88 - 0.9 * Math.abs(latitude));
  const temperature = isDaytime ? seasonalHigh + rng.int(-6, 6) : seasonalHigh - rng.int(10, 20);
  const low = rng.int(0, 3) * 5;
  const windSpeed = low === 0 ? `${rng.int(1, 5)} mph` : `${low} to ${low + 5} mph`;
  const sky = rng.pick(isDaytime ? DAY_SKIES : NIGHT_SKIES);
  return {
    name: periodName(index, firstWeekday),
    isDaytime,
    temperature,
    temperatureUnit: 'F',
    windSpeed,
    windDirection: rng.pick(DIRECTIONS),
    shortForecast: temperature <= 32 && sky === 'Chance Rain Showers' ? 'Chance Snow Showers' : sky,
  };
}

/**
 * Offline weather: every answer is derived from a hash of the inputs, so the same question always gets
 * the same answer (tests and demos can rely on it) and no network is needed.
 */
export class SimulatedWeatherSource implements WeatherSource {
  readonly kind = 'simulated' as const;

  getAlerts(state: string): Promise<AlertsReport> {
    const rng = new SeededRandom(hashString(`alerts:${state}`));
    const stateName = US_STATES[state] ?? state;
    const templates = rng.shuffled(ALERT_TEMPLATES).slice(0, rng.int(0, 3));
    const alerts = templates.map((template) => simulateAlert(rng, template, stateName));
    return Promise.resolve({ source: this.kind, state, totalCount: alerts.length, alerts });
  }

  getForecast(latitude: number, longitude: number): Promise<ForecastReport> {
    const lat = roundCoordinate(latitude);
    const lon = roundCoordinate(longitude);
    const rng = new SeededRandom(hashString(`forecast:${lat},${lon}`));
    const firstWeekday = rng.int(0, WEEKDAYS.length - 1);
    const periods = Array.from({ length: PERIOD_COUNT }, (_, index) =>
      simulatePeriod(rng, index, firstWeekday, lat),
    );
    return Promise.resolve({ source: this.kind, latitude: lat, longitude: lon, location: null, periods });
  }
}
