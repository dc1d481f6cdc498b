/** Number formatting shared by the tables, so that every section prints figures the same way. */

/**
 * Milliseconds with precision that suits their size (0.182, 12.4, 1530).
 * @param {number} ms
 * @returns {string}
 */
export function formatMs(ms) {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 1) return ms.toFixed(3);
  if (ms < 100) return ms.toFixed(2);
  return ms.toFixed(0);
}

/**
 * A ratio against a baseline, as `1.42x`.
 * @param {number} ratio
 * @returns {string}
 */
export function formatRatio(ratio) {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a';
}

/**
 * Bytes in decimal megabytes (the unit of the memory target).
 * @param {number} bytes
 * @returns {string}
 */
export function formatMB(bytes) {
  return Number.isFinite(bytes) ? `${(bytes / 1e6).toFixed(1)} MB` : 'n/a';
}

/**
 * An integer with thousands separators.
 * @param {number} value
 * @returns {string}
 */
export function formatInt(value) {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

/**
 * Microseconds, one decimal under 100.
 * @param {number} us
 * @returns {string}
 */
export function formatUs(us) {
  if (!Number.isFinite(us)) return 'n/a';
  return us < 100 ? us.toFixed(1) : us.toFixed(0);
}
