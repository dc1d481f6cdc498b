/**
 * What `mcp-gateway pins diff` shows of an item: when it was pinned and when the change was seen, then each field
 * that changed, pinned against presented: a text field (a description) line by line, a schema as indented JSON with
 * its keys sorted, so that only what changed is marked.
 */
import { canonicalJson } from './canonical-json.js';
import { diffLines, formatDiff } from './line-diff.js';
import { changedFields, KIND_LABELS, type Definition } from './pin-kinds.js';
import type { SelectedPin } from './pin-mutations.js';

/** The first characters of a hash, enough to tell two definitions apart in a listing. */
export function shortHash(hash: string): string {
  return hash.replace(/^sha256:/, '').slice(0, 12);
}

/** `tool "get_alerts" of server "weather"`. */
export function describeItem(pin: Pick<SelectedPin, 'server' | 'kind' | 'name'>): string {
  return `${KIND_LABELS[pin.kind]} "${pin.name}" of server "${pin.server}"`;
}

/** The lines of the diff of one item: its pinned definition against the pending one, or that nothing is pending. */
export function formatPinDiff(pin: SelectedPin): string[] {
  const { entry } = pin;
  const approved = entry.approvedAt === undefined ? '' : `, approved ${entry.approvedAt}`;
  const lines = [
    `${describeItem(pin)}`,
    `  pinned:    ${entry.pinnedAt}${approved} (${shortHash(entry.hash)})`,
  ];
  const pending = entry.pending;
  if (!pending) {
    lines.push('  no change seen since: nothing to approve');
    return lines;
  }
  const fields = changedFields(pin.kind, entry.definition, pending.definition);
  lines.push(`  presented: ${pending.seenAt} (${shortHash(pending.hash)}), changed: ${fields.join(', ')}`);
  for (const field of fields) {
    lines.push(`  ${field}:`);
    lines.push(
      ...formatDiff(diffLines(linesOf(entry.definition, field), linesOf(pending.definition, field)), '    '),
    );
  }
  return lines;
}

/**
 * A field's value as lines: text as it is (a description's own line breaks kept), anything else as indented JSON
 * with sorted keys, and an absent field as one line saying so.
 */
function linesOf(definition: Definition, field: string): string[] {
  if (!Object.hasOwn(definition, field)) return ['(absent)'];
  const value = definition[field];
  if (typeof value === 'string') return value.split('\n');
  return JSON.stringify(JSON.parse(canonicalJson(value)), null, 2).split('\n');
}
