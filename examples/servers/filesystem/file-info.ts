import type { Stats } from 'node:fs';
import { z } from 'zod';

/** Kind of a directory entry as reported to clients. */
export const entryTypeSchema = z.enum(['file', 'directory', 'symlink', 'other']);
export type EntryType = z.infer<typeof entryTypeSchema>;

/** Structured output of `get_file_info` (an SDK output-schema shape). */
export const fileInfoShape = {
  path: z.string().describe('Path relative to the sandbox root'),
  type: entryTypeSchema.describe('Entry type'),
  size: z.number().int().describe('Size in bytes'),
  created: z.string().describe('Creation (birth) time, ISO 8601'),
  modified: z.string().describe('Last modification time, ISO 8601'),
  accessed: z.string().describe('Last access time, ISO 8601'),
  permissions: z.string().describe('Permission bits, e.g. "rw-r--r--"'),
  mode: z.string().describe('Permission bits in octal, e.g. "644"'),
};

export type FileInfo = z.infer<z.ZodObject<typeof fileInfoShape>>;

/** Entry type of a `stat`/`lstat` result or a `Dirent`. */
export function entryType(stats: Pick<Stats, 'isFile' | 'isDirectory' | 'isSymbolicLink'>): EntryType {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isDirectory()) return 'directory';
  return stats.isFile() ? 'file' : 'other';
}

/** `rwxr-xr-x`-style rendering of the low nine mode bits. */
export function permissionString(mode: number): string {
  const flags = 'rwxrwxrwx';
  return [...flags].map((flag, index) => ((mode >> (8 - index)) & 1 ? flag : '-')).join('');
}

/** The information `get_file_info` reports for an entry. */
export function fileInfo(displayPath: string, stats: Stats): FileInfo {
  return {
    path: displayPath,
    type: entryType(stats),
    size: stats.size,
    created: stats.birthtime.toISOString(),
    modified: stats.mtime.toISOString(),
    accessed: stats.atime.toISOString(),
    permissions: permissionString(stats.mode),
    mode: (stats.mode & 0o777).toString(8).padStart(3, '0'),
  };
}

/** File information as readable `key: value` lines. */
export function formatFileInfo(info: FileInfo): string {
  return [
    `path: ${info.path}`,
    `type: ${info.type}`,
    `size: ${info.size} bytes`,
    `created: ${info.created}`,
    `modified: ${info.modified}`,
    `accessed: ${info.accessed}`,
    `permissions: ${info.permissions} (${info.mode})`,
  ].join('\n');
}
