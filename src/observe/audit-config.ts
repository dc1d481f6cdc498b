/**
 * The config file's `audit` section (and what `--audit-log FILE` sets): where the audit log goes, whether argument
 * values are written (redacted), whether a record that cannot be written refuses the call, and rotation by size.
 */
import { z } from 'zod';

/** Rotate when the file reaches this size, unless `audit.maxSize` says. */
export const DEFAULT_AUDIT_MAX_SIZE = '10M';
/** Keep this many rotated files, unless `audit.maxFiles` says. */
export const DEFAULT_AUDIT_MAX_FILES = 10;

const SIZE = /^[1-9]\d*[BKMG]$/;

/** The `audit` section. */
export const AuditConfigSchema = z.object(
  {
    /** The file (relative to the config file's folder); `--audit-log` overrides it. */
    file: z.string({ error: 'audit.file must be a path, e.g. "audit.jsonl"' }).min(1).optional(),
    /** Write argument values, with keys that look like secrets redacted. Default false. */
    arguments: z.boolean({ error: 'audit.arguments must be true or false' }).optional(),
    /** Refuse calls rather than lose records when the file cannot be written. Default false. */
    required: z.boolean({ error: 'audit.required must be true or false' }).optional(),
    /** Rotate at this size: bytes, or a number with B, K, M or G. Default 10M. */
    maxSize: z
      .union([z.number().int().positive(), z.string().regex(SIZE)], {
        error:
          'audit.maxSize must be a size: bytes (e.g. 1048576), or a number with B, K, M or G (e.g. "10M")',
      })
      .optional(),
    /** How many rotated files to keep (older ones are deleted). Default 10. */
    maxFiles: z
      .number({ error: 'audit.maxFiles must be a number of files, e.g. 10' })
      .int({ error: 'audit.maxFiles must be a whole number' })
      .positive({ error: 'audit.maxFiles must be 1 or more' })
      .optional(),
  },
  { error: 'audit must be an object, e.g. {"file": "audit.jsonl"}' },
);

const UNIT_BYTES = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 } as const;

/** `audit.maxSize` in bytes: a number is bytes already, a string is a number with its unit (`10M`). */
export function sizeInBytes(size: number | string): number {
  if (typeof size === 'number') return size;
  const unit = size.at(-1) as keyof typeof UNIT_BYTES;
  return Number(size.slice(0, -1)) * UNIT_BYTES[unit];
}

/** The validated `audit` section. */
export type AuditConfig = z.output<typeof AuditConfigSchema>;
