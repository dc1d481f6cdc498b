/**
 * The performance targets. A target is reported as met or missed next to its figure; a miss never fails
 * the run, because the figures of a shared or small machine are too noisy to gate on.
 */

/**
 * @typedef {object} Target
 * @property {string} figure what is measured, e.g. `p50 gateway stdio / direct`
 * @property {number} value the measured figure
 * @property {'<=' | '<' | '>='} op
 * @property {number} limit
 * @property {string} text the measured figure, formatted
 * @property {string} limitText the limit, formatted
 * @property {boolean} pass
 */

/**
 * Checks a figure against its target.
 * @param {string} figure
 * @param {number} value
 * @param {'<=' | '<' | '>='} op
 * @param {number} limit
 * @param {(value: number) => string} format formats both the value and the limit
 * @returns {Target}
 */
export function checkTarget(figure, value, op, limit, format) {
  const pass =
    Number.isFinite(value) && (op === '<=' ? value <= limit : op === '<' ? value < limit : value >= limit);
  return { figure, value, op, limit, text: format(value), limitText: format(limit), pass };
}

/**
 * The mark printed next to a figure: `✓ <= 1.90x` or `✗ miss (<= 1.90x)`.
 * @param {Target} target
 * @returns {string}
 */
export function targetMark(target) {
  const goal = `${target.op} ${target.limitText}`;
  return target.pass ? `✓ ${goal}` : `✗ miss (${goal})`;
}
