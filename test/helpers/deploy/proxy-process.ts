/**
 * nginx and HAProxy run for real in front of gateway replicas, with the configs deploy/ ships (addresses put in by
 * scripts/local-cluster/proxy-configs.ts), on a free loopback port, in the foreground.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import {
  freePort,
  startChild,
  waitForHttp,
  type ClusterChild,
} from '../../../scripts/local-cluster/child-process.js';
import {
  haproxyConfig,
  nginxConfig,
  type ProxiedReplica,
} from '../../../scripts/local-cluster/proxy-configs.js';
import { findProgram } from './system-tool.js';

/** A proxy that serves. */
export interface RunningProxy {
  /** Its MCP endpoint. */
  readonly url: URL;
  readonly child: ClusterChild;
  stop(): Promise<void>;
}

/** The two proxies deploy/ ships a config for. */
export type ProxyKind = 'nginx' | 'haproxy';

/** Writes the proxy's config for `replicas` into `dir`; returns the command line that runs it and the one that checks it. */
async function writeConfig(
  kind: ProxyKind,
  dir: string,
  listen: string,
  replicas: readonly ProxiedReplica[],
) {
  const program = findProgram(kind);
  if (program === undefined) throw new Error(`${kind} is not installed (apt-get install -y ${kind})`);
  if (kind === 'nginx') {
    const conf = path.join(dir, 'nginx.conf');
    await writeFile(conf, nginxConfig(dir, listen, replicas));
    const common = ['-p', dir, '-c', conf, '-e', 'stderr'];
    return { program, run: common, check: ['-t', ...common] };
  }
  const conf = path.join(dir, 'haproxy.cfg');
  await writeFile(conf, haproxyConfig(listen, replicas));
  return { program, run: ['-db', '-f', conf], check: ['-c', '-f', conf] };
}

/** Checks the proxy's config for these replicas (`nginx -t`, `haproxy -c`): its exit code and output. */
export async function checkProxyConfig(
  kind: ProxyKind,
  dir: string,
  replicas: readonly ProxiedReplica[],
): Promise<{ status: number | null; output: string }> {
  const { program, check } = await writeConfig(kind, dir, '127.0.0.1:8003', replicas);
  const result = spawnSync(program, check, { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * Starts the proxy in front of `replicas` and resolves once `/healthz` answers through it. The free port it is
 * given may be taken by another program before it binds: then it is tried on another one, twice at most.
 */
export async function startProxy(
  kind: ProxyKind,
  dir: string,
  replicas: readonly ProxiedReplica[],
): Promise<RunningProxy> {
  for (let attempt = 1; ; attempt += 1) {
    const listen = `127.0.0.1:${await freePort()}`;
    const { program, run } = await writeConfig(kind, dir, listen, replicas);
    const child = startChild(kind, program, run, path.join(dir, `${kind}.log`));
    try {
      await waitForHttp(child, new URL(`http://${listen}/healthz`), 30_000);
      return { url: new URL(`http://${listen}/mcp`), child, stop: () => child.stop() };
    } catch (error) {
      await child.stop();
      if (attempt >= 3 || !/address already in use|cannot bind/i.test(child.output())) throw error;
    }
  }
}
