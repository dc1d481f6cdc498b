/**
 * Markdown tables, padded so that they also read well in a terminal before being pasted into the README.
 */

/**
 * Renders a markdown table. The first column is left-aligned (labels), the others right-aligned (figures).
 * @param {readonly string[]} headers
 * @param {ReadonlyArray<ReadonlyArray<string | number>>} rows
 * @returns {string}
 */
export function markdownTable(headers, rows) {
  const cells = rows.map((row) => headers.map((_, column) => String(row[column] ?? '')));
  const widths = headers.map((header, column) =>
    Math.max(3, displayWidth(header), ...cells.map((row) => displayWidth(row[column]))),
  );
  const line = (values) =>
    `| ${values.map((value, column) => pad(value, widths[column], column === 0 ? 'left' : 'right')).join(' | ')} |`;
  const rule = `| ${widths.map((width, column) => (column === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`)).join(' | ')} |`;
  return [line(headers), rule, ...cells.map(line)].join('\n');
}

/**
 * @param {string} value
 * @param {number} width
 * @param {'left' | 'right'} align
 * @returns {string}
 */
function pad(value, width, align) {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(value)));
  return align === 'left' ? value + fill : fill + value;
}

/**
 * Characters as a terminal shows them (code points, not UTF-16 units: µ, ✓ and ✗ are one column each).
 * @param {string} value
 * @returns {number}
 */
function displayWidth(value) {
  return [...value].length;
}
