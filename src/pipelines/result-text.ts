/**
 * The text of a tool result: what `{{steps.ID.text}}` reads and what the pipeline summary shows.
 */
import type { CallToolResult } from '@modelcontextprotocol/server';

/** The text items of a tool result, joined with newlines; other content is named by its type. */
export function textOf(result: CallToolResult): string {
  return result.content
    .map((item) => {
      switch (item.type) {
        case 'text':
          return item.text;
        case 'image':
        case 'audio':
          return `[${item.type} ${item.mimeType}]`;
        case 'resource':
          return 'text' in item.resource ? item.resource.text : `[resource ${item.resource.uri}]`;
        case 'resource_link':
          return `[resource link ${item.uri}]`;
        default:
          return '';
      }
    })
    .filter((text) => text !== '')
    .join('\n');
}
