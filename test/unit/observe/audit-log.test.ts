import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { GatewayError } from '../../../src/errors/gateway-error.js';
import type { Logger } from '../../../src/logger.js';
import { silentLogger } from '../../../src/logger.js';
import { AUDIT_RETRY_MS, AuditLog } from '../../../src/observe/audit-log.js';
import type { CallEvent } from '../../../src/shared/observation.js';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js';

function call(index: number): CallEvent {
  return {
    type: 'call',
    principal: 'alice',
    frontDoor: 'stdio',
    sessionId: 's',
    client: undefined,
    startedAt: 0,
    durationMs: 1,
    server: 'echo',
    method: 'tools/call',
    tool: `tool-${index}`,
    route: 'tool',
    outcome: 'ok',
    errorCode: undefined,
    limit: undefined,
    arguments: { text: 'x'.repeat(100) },
  };
}

/** A logger that keeps its error lines. */
function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return { ...silentLogger, errors, error: (message: string) => void errors.push(message) };
}

describe('AuditLog', () => {
  let dir: string;
  let log: AuditLog | undefined;

  beforeEach(async () => {
    dir = await makeTempDir('audit-log-');
  });
  afterEach(async () => {
    await log?.close();
    log = undefined;
    await removeTempDir(dir);
  });

  it('has the line in the file as soon as onCall returns', async () => {
    const file = path.join(dir, 'audit.jsonl');
    log = await AuditLog.open({
      file,
      arguments: false,
      required: false,
      maxBytes: 1024 * 1024,
      maxFiles: 2,
      logger: silentLogger,
    });
    // Written on the caller's turn: nothing to wait for.
    expect(log.onCall(call(1))).toBeUndefined();
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ principal: 'alice', tool: 'tool-1' });
  });

  it('rotates by size and keeps at most maxFiles rotated files, every record whole', async () => {
    const file = path.join(dir, 'audit.jsonl');
    log = await AuditLog.open({
      file,
      arguments: true,
      required: true,
      maxBytes: 1024,
      maxFiles: 2,
      logger: silentLogger,
    });
    for (let i = 0; i < 40; i++) await log.onCall(call(i));
    await log.close();
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['audit.jsonl', 'audit.jsonl.1', 'audit.jsonl.2']);
    // Oldest first: the rolled files then the current one.
    const lines: string[] = [];
    for (const name of ['audit.jsonl.2', 'audit.jsonl.1', 'audit.jsonl']) {
      const text = await readFile(path.join(dir, name), 'utf8');
      // Rolled before a record would take it past the size.
      expect(text.length).toBeLessThanOrEqual(1024);
      lines.push(...text.split('\n').filter((line) => line !== ''));
    }
    const tools = lines.map((line) => (JSON.parse(line) as { tool: string }).tool);
    // What is kept is the last records, in order, none cut: the oldest were deleted with the oldest file.
    expect(tools.at(-1)).toBe('tool-39');
    const first = Number(tools[0]?.slice(5));
    expect(first).toBeGreaterThan(0);
    expect(tools).toEqual(Array.from({ length: 40 - first }, (_, i) => `tool-${first + i}`));
  });

  it('with required, refuses while the file cannot be written, and tries again after a while', async () => {
    // A file where the folder should be: unwritable even for root.
    const folder = path.join(dir, 'not-a-folder');
    await writeFile(folder, '');
    let now = 0;
    const logger = recordingLogger();
    log = await AuditLog.open({
      file: path.join(folder, 'audit.jsonl'),
      arguments: false,
      required: true,
      maxBytes: 1024 * 1024,
      maxFiles: 2,
      logger,
      clock: () => now,
    });
    expect(log.failing).toBe(true);
    const admission = log.gate.admit({
      principal: 'alice',
      sessionId: 's',
      frontDoor: 'stdio',
      method: 'tools/call',
    });
    expect(admission.admitted).toBe(false);
    const error = admission.admitted ? undefined : admission.error;
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('audit_unavailable');
    expect(error?.message).toMatch(/audit log cannot be written \(ENOTDIR\)/);
    expect(error?.message).not.toContain(folder);
    await expect(log.onCall(call(1))).rejects.toMatchObject({ code: 'audit_unavailable' });
    expect(logger.errors).toHaveLength(1);
    // The folder is there now: after the retry delay, the next request opens the file anew.
    await rm(folder);
    await mkdir(folder);
    now += AUDIT_RETRY_MS;
    log.gate.admit({ principal: 'alice', sessionId: 's', frontDoor: 'stdio', method: 'tools/call' });
    expect(log.failing).toBe(false);
    expect(log.onCall(call(2))).toBeUndefined();
    expect(await readFile(path.join(folder, 'audit.jsonl'), 'utf8')).toContain('tool-2');
    expect(logger.errors).toHaveLength(1);
  });

  it('with required, refuses the call whose line a full disk did not take', async () => {
    // Every write to /dev/full fails with ENOSPC, as on a full disk.
    const logger = recordingLogger();
    log = await AuditLog.open({
      file: '/dev/full',
      arguments: false,
      required: true,
      maxBytes: 1024 * 1024,
      maxFiles: 2,
      logger,
    });
    expect(log.failing).toBe(false);
    await expect(log.onCall(call(1))).rejects.toMatchObject({
      code: 'audit_unavailable',
      message: expect.stringContaining('(ENOSPC)') as unknown,
    });
    expect(log.failing).toBe(true);
    expect(logger.errors).toEqual([expect.stringContaining('calls are refused until it can')]);
  });

  it('without required, goes on when the file cannot be written and says so once', async () => {
    const folder = path.join(dir, 'not-a-folder');
    await writeFile(folder, '');
    const logger = recordingLogger();
    log = await AuditLog.open({
      file: path.join(folder, 'audit.jsonl'),
      arguments: false,
      required: false,
      maxBytes: 1024 * 1024,
      maxFiles: 2,
      logger,
    });
    for (let i = 0; i < 5; i++) await log.onCall(call(i));
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]).toContain('records are lost until it can');
  });
});
