import { afterEach, describe, expect, it, vi } from 'vitest';

import {
  createStderrLogger,
  LOG_LEVELS,
  silentLogger,
  type Logger,
  type LogLevel,
} from '../../src/logger.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** A logger writing into an array. */
function capture(level?: LogLevel): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createStderrLogger({ ...(level ? { level } : {}), write: (line) => lines.push(line) });
  return { logger, lines };
}

function logAtEveryLevel(logger: Logger): void {
  logger.debug('d');
  logger.info('i');
  logger.warn('w');
  logger.error('e');
}

describe('createStderrLogger', () => {
  it('writes one line per entry: prefix, level, message and a newline', () => {
    const { logger, lines } = capture();

    logger.info('gateway listening');

    expect(lines).toEqual(['mcp-gateway info: gateway listening\n']);
  });

  it('drops debug lines by default, at level info', () => {
    const { logger, lines } = capture();

    logAtEveryLevel(logger);

    expect(lines).toEqual(['mcp-gateway info: i\n', 'mcp-gateway warn: w\n', 'mcp-gateway error: e\n']);
  });

  it.each<[LogLevel, string[]]>([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
    ['silent', []],
  ])('at level %s writes the levels %j', (level, written) => {
    const { logger, lines } = capture(level);

    logAtEveryLevel(logger);

    expect(lines.map((line) => /^mcp-gateway (\w+):/.exec(line)?.[1])).toEqual(written);
  });

  it('knows the levels from lowest to silent', () => {
    expect(LOG_LEVELS).toEqual(['debug', 'info', 'warn', 'error', 'silent']);
  });

  it('prints fields as JSON after the message', () => {
    const { logger, lines } = capture();

    logger.warn('backend exited', { server: 'weather', code: 1, signal: null, tools: ['a', 'b'] });

    expect(lines).toEqual([
      'mcp-gateway warn: backend exited {"server":"weather","code":1,"signal":null,"tools":["a","b"]}\n',
    ]);
  });

  it('prints nothing after the message for empty fields', () => {
    const { logger, lines } = capture();

    logger.info('ready', {});

    expect(lines).toEqual(['mcp-gateway info: ready\n']);
  });

  it('prints [unserializable] instead of failing on fields that are not JSON', () => {
    const { logger, lines } = capture();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;

    logger.error('odd value', { cyclic });
    logger.error('big number', { n: 10n });

    expect(lines).toEqual([
      'mcp-gateway error: odd value [unserializable]\n',
      'mcp-gateway error: big number [unserializable]\n',
    ]);
  });

  it('prefixes the lines of a child logger with its scope, nested scopes in order', () => {
    const { logger, lines } = capture();

    logger.child('weather').info('started', { pid: 12 });
    logger.child('http').child('session-1').warn('closed');

    expect(lines).toEqual([
      'mcp-gateway[weather] info: started {"pid":12}\n',
      'mcp-gateway[http][session-1] warn: closed\n',
    ]);
  });

  it('gives child loggers the level of their parent', () => {
    const { logger, lines } = capture('warn');

    logAtEveryLevel(logger.child('weather'));

    expect(lines).toEqual(['mcp-gateway[weather] warn: w\n', 'mcp-gateway[weather] error: e\n']);
  });

  it('writes to stderr, never to stdout, when no sink is given', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write');

    createStderrLogger().error('to stderr', { n: 1 });

    expect(stderr).toHaveBeenCalledExactlyOnceWith('mcp-gateway error: to stderr {"n":1}\n');
    expect(stdout).not.toHaveBeenCalled();
  });
});

describe('silentLogger', () => {
  it('writes nothing at any level, nor through its children', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);

    logAtEveryLevel(silentLogger);
    logAtEveryLevel(silentLogger.child('x'));

    expect(silentLogger.child('x')).toBe(silentLogger);
    expect(stderr).not.toHaveBeenCalled();
    expect(stdout).not.toHaveBeenCalled();
  });
});
