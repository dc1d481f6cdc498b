/**
 * A line diff for people: the lines of the old text and of the new, each marked as kept, removed or added, with
 * long runs of kept lines shortened to a few lines of context around each change.
 */

/** One line of a diff. */
export interface DiffLine {
  readonly op: ' ' | '-' | '+';
  readonly text: string;
}

/** Kept lines shown before and after a change. */
const CONTEXT = 3;
/** Above this many cells the longest common subsequence is not computed: every old line goes, every new one comes. */
const MAX_CELLS = 4_000_000;

/** The diff of two lists of lines: kept lines in order, a change's removed lines before its added ones. */
export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  const n = before.length;
  const m = after.length;
  if (n * m > MAX_CELLS) {
    return [
      ...before.map((text) => ({ op: '-' as const, text })),
      ...after.map((text) => ({ op: '+' as const, text })),
    ];
  }
  // lengths[i * (m + 1) + j]: the longest common subsequence of before[i..] and after[j..].
  const lengths = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number): number => lengths[i * (m + 1) + j] ?? 0;
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lengths[i * (m + 1) + j] =
        before[i] === after[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      lines.push({ op: ' ', text: before[i++] ?? '' });
      j += 1;
    } else if (i < n && (j >= m || at(i + 1, j) >= at(i, j + 1))) {
      lines.push({ op: '-', text: before[i++] ?? '' });
    } else {
      lines.push({ op: '+', text: after[j++] ?? '' });
    }
  }
  return lines;
}

/**
 * The diff as text lines (`- removed`, `+ added`, `  kept`), each indented by `indent`; kept lines further than
 * {@link CONTEXT} lines from a change are replaced by one `...` line per run.
 */
export function formatDiff(lines: readonly DiffLine[], indent = ''): string[] {
  const near = lines.map((_, index) =>
    lines.slice(Math.max(0, index - CONTEXT), index + CONTEXT + 1).some((line) => line.op !== ' '),
  );
  const out: string[] = [];
  lines.forEach((line, index) => {
    if (line.op !== ' ' || near[index]) out.push(`${indent}${line.op} ${line.text}`.trimEnd());
    else if (index === 0 || near[index - 1] || lines[index - 1]?.op !== ' ') out.push(`${indent}  ...`);
  });
  return out;
}
