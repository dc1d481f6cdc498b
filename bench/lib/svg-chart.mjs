/**
 * A grouped bar chart as a hand-written SVG string (no dependency). It paints its own white background, so it
 * stays readable when a page or a README viewer uses a dark theme.
 */

const WIDTH = 760;
const HEIGHT = 420;
const MARGIN = { top: 64, right: 24, bottom: 78, left: 72 };
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const INK = '#1f2328';
const GRID = '#d8dee4';

/**
 * @typedef {object} Series
 * @property {string} key property of each group's `values`
 * @property {string} label shown in the legend
 * @property {string} color
 */

/**
 * @typedef {object} Group
 * @property {string} label shown under the bars; `\n` breaks it into lines
 * @property {Record<string, number>} values one value per series key
 */

/**
 * Draws grouped bars: one group per path, one bar per series, the value written above each bar.
 * @param {{ title: string, yLabel: string, xLabel?: string, groups: readonly Group[], series: readonly Series[],
 *   format?: (value: number) => string }} chart
 * @returns {string} a complete SVG document
 */
export function groupedBarChart({
  title,
  yLabel,
  xLabel,
  groups,
  series,
  format = (value) => String(value),
}) {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const maxValue = Math.max(0, ...groups.flatMap((group) => series.map((s) => group.values[s.key] ?? 0)));
  const { max, step } = niceScale(maxValue);
  const y = (value) => MARGIN.top + plotHeight - (value / max) * plotHeight;
  const parts = [];

  parts.push(`<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  parts.push(
    `<text x="${MARGIN.left}" y="26" font-size="16" font-weight="600" fill="${INK}">${escapeXml(title)}</text>`,
  );

  // Horizontal grid lines and y tick labels.
  for (let tick = 0; tick <= max + step / 2; tick += step) {
    const ty = y(tick).toFixed(1);
    parts.push(
      `<line x1="${MARGIN.left}" y1="${ty}" x2="${MARGIN.left + plotWidth}" y2="${ty}" stroke="${GRID}" stroke-width="1"/>`,
      `<text x="${MARGIN.left - 8}" y="${ty}" font-size="11" fill="${INK}" text-anchor="end" dominant-baseline="middle">${escapeXml(trimNumber(tick))}</text>`,
    );
  }
  const yMid = MARGIN.top + plotHeight / 2;
  parts.push(
    `<text x="20" y="${yMid}" font-size="12" fill="${INK}" text-anchor="middle" transform="rotate(-90 20 ${yMid})">${escapeXml(yLabel)}</text>`,
  );

  // Bars, with the value above each, and the group label below.
  const groupWidth = plotWidth / Math.max(1, groups.length);
  const barWidth = (groupWidth * 0.72) / Math.max(1, series.length);
  groups.forEach((group, groupIndex) => {
    const groupLeft = MARGIN.left + groupIndex * groupWidth + groupWidth * 0.14;
    series.forEach((s, seriesIndex) => {
      const value = group.values[s.key];
      if (!Number.isFinite(value)) return;
      const x = groupLeft + seriesIndex * barWidth;
      const top = y(value);
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(MARGIN.top + plotHeight - top).toFixed(1)}" fill="${s.color}"><title>${escapeXml(`${group.label.replaceAll('\n', ' ')} ${s.label}: ${format(value)}`)}</title></rect>`,
        `<text x="${(x + (barWidth - 2) / 2).toFixed(1)}" y="${(top - 4).toFixed(1)}" font-size="10" fill="${INK}" text-anchor="middle">${escapeXml(format(value))}</text>`,
      );
    });
    const labelX = (MARGIN.left + (groupIndex + 0.5) * groupWidth).toFixed(1);
    group.label.split('\n').forEach((line, lineIndex) => {
      parts.push(
        `<text x="${labelX}" y="${MARGIN.top + plotHeight + 18 + lineIndex * 15}" font-size="12" fill="${INK}" text-anchor="middle">${escapeXml(line)}</text>`,
      );
    });
  });

  // Axes drawn last so that bars do not cover them.
  parts.push(
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + plotHeight}" stroke="${INK}" stroke-width="1"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top + plotHeight}" x2="${MARGIN.left + plotWidth}" y2="${MARGIN.top + plotHeight}" stroke="${INK}" stroke-width="1"/>`,
  );
  if (xLabel) {
    parts.push(
      `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 10}" font-size="12" fill="${INK}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    );
  }

  // Legend, top right.
  let legendX = WIDTH - MARGIN.right;
  for (const s of [...series].reverse()) {
    const textWidth = s.label.length * 7;
    legendX -= textWidth + 24;
    parts.push(
      `<rect x="${legendX}" y="38" width="12" height="12" fill="${s.color}"/>`,
      `<text x="${legendX + 17}" y="48" font-size="12" fill="${INK}">${escapeXml(s.label)}</text>`,
    );
  }

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ${FONT} role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    ...parts.map((part) => `  ${part}`),
    '</svg>',
    '',
  ].join('\n');
}

/**
 * An axis maximum and tick step of the form 1, 2 or 5 times a power of ten, with about five ticks.
 * @param {number} maxValue
 * @returns {{ max: number, step: number }}
 */
export function niceScale(maxValue) {
  if (!(maxValue > 0)) return { max: 1, step: 0.2 };
  const rough = maxValue / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough) ?? 10 * power;
  return { max: Math.ceil(maxValue / step) * step, step };
}

/** @param {number} value @returns {string} */
function trimNumber(value) {
  return String(Number(value.toPrecision(6)));
}

/** @param {string} text @returns {string} */
function escapeXml(text) {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
