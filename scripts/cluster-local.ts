/**
 * `npm run cluster:local`: Redis, three gateway replicas (r1, r2, r3) and nginx on loopback, to try running several
 * replicas (docs/deploy.md). Everything lives in a temp folder (a throwaway cluster key, Redis's socket, the nginx
 * config, the logs) removed on exit; Ctrl-C stops nginx, then the replicas, then Redis.
 *
 * Options: --port <n> (nginx's, default 8003; 0 picks a free one), --config <file> (default gateway-config.json),
 * --allow-register (passed to the replicas).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import {
  freePort,
  lastLines,
  startChild,
  waitForHttp,
  waitForOutput,
  type ClusterChild,
} from './local-cluster/child-process.js';
import { findProgram } from './local-cluster/find-program.js';
import { nginxConfig, DEPLOY_DIR } from './local-cluster/proxy-configs.js';

const PROJECT_ROOT = path.dirname(DEPLOY_DIR);
const CLI = path.join(PROJECT_ROOT, 'dist/cli.js');
const REPLICA_IDS = ['r1', 'r2', 'r3'];
const START_TIMEOUT_MS = 60_000;

const { values: options } = parseArgs({
  options: {
    port: { type: 'string', default: '8003' },
    config: { type: 'string', default: path.join(PROJECT_ROOT, 'gateway-config.json') },
    'allow-register': { type: 'boolean', default: false },
  },
});

/** Exits with `message` when the programs the cluster needs are missing. */
function requirePrograms(): { redis: string; nginx: string } {
  const redis = findProgram('redis-server');
  const nginx = findProgram('nginx');
  if (redis === undefined || nginx === undefined) {
    const missing = [redis === undefined ? 'redis-server' : '', nginx === undefined ? 'nginx' : ''].filter(
      Boolean,
    );
    const them = missing.length > 1 ? 'them' : 'it';
    console.error(`cluster:local needs ${missing.join(' and ')}; on Debian or Ubuntu install ${them} with:`);
    console.error(`  sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(1);
  }
  if (!existsSync(CLI)) {
    console.error(`cluster:local runs the built gateway (${CLI}): run \`npm run build\` first`);
    process.exit(1);
  }
  return { redis, nginx };
}

const programs = requirePrograms();
const dir = await mkdtemp(path.join(tmpdir(), 'mcp-gateway-cluster-'));
const children: ClusterChild[] = [];
let stopping: Promise<never> | undefined;

/** Stops nginx, then the replicas, then Redis; removes the temp folder; exits with `code` (the first caller's). */
function stopAll(code: number): Promise<never> {
  stopping ??= (async () => {
    const named = (names: readonly string[]) => children.filter((child) => names.includes(child.name));
    await Promise.all(named(['nginx']).map((child) => child.stop()));
    await Promise.all(named(REPLICA_IDS).map((child) => child.stop()));
    await Promise.all(named(['redis']).map((child) => child.stop()));
    await rm(dir, { recursive: true, force: true });
    process.exit(code);
  })();
  return stopping;
}

/** Starts a child; if it ever exits while the cluster runs, says so and stops the rest. */
function start(
  name: string,
  command: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): ClusterChild {
  const child = startChild(name, command, args, path.join(dir, `${name}.log`), env);
  children.push(child);
  void child.exited.then(async () => {
    if (stopping !== undefined) return;
    console.error(`cluster:local: ${name} exited; its last lines:\n${lastLines(child.output())}`);
    await stopAll(1);
  });
  return child;
}

let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    signals += 1;
    if (signals > 1) {
      // A second Ctrl-C: no more waiting.
      for (const child of children) child.process.kill('SIGKILL');
      process.exit(1);
    }
    console.error('cluster:local: stopping nginx, the replicas, then Redis');
    void stopAll(0);
  });
}

try {
  const socket = path.join(dir, 'redis.sock');
  const redis = start('redis', programs.redis, [
    ...['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700'],
    ...['--save', '', '--appendonly', 'no', '--dir', dir],
  ]);
  await waitForOutput(redis, /ready to accept connections/i, START_TIMEOUT_MS);

  const keyFile = path.join(dir, 'cluster.key');
  await writeFile(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  const replicaArgs = [
    ...[
      CLI,
      '--transport',
      'streamable-http',
      '--port',
      '0',
      '--auto-register',
      path.resolve(options.config),
    ],
    ...['--redis', `unix://${socket}`, '--cluster-key-file', keyFile],
    ...(options['allow-register'] ? ['--allow-register'] : []),
  ];
  const replicas = REPLICA_IDS.map((id) =>
    start(id, process.execPath, replicaArgs, {
      ...process.env,
      MCP_GATEWAY_REPLICA_ID: id,
      MCP_GATEWAY_CLUSTER_KEY: undefined,
      MCP_GATEWAY_REDIS_URL: undefined,
    }),
  );
  const urls = await Promise.all(
    replicas.map(async (replica) => {
      const [, url] = await waitForOutput(
        replica,
        /serving MCP over Streamable HTTP at (\S+)/,
        START_TIMEOUT_MS,
      );
      const address = new URL(url as string);
      // Ready means its configured backends had their first start: a first call through nginx must not find
      // one still starting on whichever replica it lands.
      await waitForHttp(replica, new URL('/readyz', address), START_TIMEOUT_MS);
      return address;
    }),
  );

  const port = options.port === '0' ? await freePort() : Number(options.port);
  const listen = `127.0.0.1:${port}`;
  const conf = path.join(dir, 'nginx.conf');
  const proxied = REPLICA_IDS.map((id, index) => ({ id, address: (urls[index] as URL).host }));
  await writeFile(conf, nginxConfig(dir, listen, proxied));
  const nginx = start('nginx', programs.nginx, ['-p', dir, '-c', conf, '-e', 'stderr']);
  await waitForHttp(nginx, new URL(`http://${listen}/healthz`), START_TIMEOUT_MS);

  const entry = { mcpServers: { gateway: { type: 'http', url: `http://${listen}/mcp` } } };
  console.log(
    `mcp-gateway local cluster ready: http://${listen}/mcp (nginx in front of ${REPLICA_IDS.length} replicas)`,
  );
  for (const [index, id] of REPLICA_IDS.entries()) console.log(`  replica ${id}: ${urls[index]?.href}`);
  console.log(`  in a client's config: ${JSON.stringify(entry)}`);
  console.log(`  logs: ${path.join(dir, '*.log')} (removed on exit)`);
  console.log('Press Ctrl-C to stop.');
} catch (error) {
  console.error(`cluster:local: ${(error as Error).message}`);
  if (/Address already in use/.test((error as Error).message)) {
    console.error(`port ${options.port} is in use: choose another with --port (0 picks a free one)`);
  }
  await stopAll(1);
}
