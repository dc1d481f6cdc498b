/**
 * deploy/k8s rendered by kubectl's kustomize (no cluster), every object validated against the Kubernetes schemas,
 * and the facts the gateway depends on checked across objects; then a real gateway started with the Deployment's
 * arguments, environment, Secret and ConfigMap answers the probes the Deployment names.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PROJECT_ROOT, startHttpGateway } from '../../helpers/gateway-process.js';
import {
  findObject,
  kubernetesSchemaError,
  renderKustomization,
  type KubernetesObject,
} from '../../helpers/deploy/kustomize.js';
import { systemToolSkipReason } from '../../helpers/deploy/system-tool.js';
import { redisSkipReason, startTestRedis, type TestRedis } from '../../helpers/redis-server.js';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js';

const skip = systemToolSkipReason('kubectl', 'kubernetes-client');
const GATEWAY = 'mcp-gateway';

/** The gateway's container in a rendered tree. */
function gatewayPod(objects: readonly KubernetesObject[]) {
  const deployment = findObject<IDeployment>(objects, 'Deployment', GATEWAY);
  const pod = deployment.spec?.template;
  const container = pod?.spec?.containers.find((candidate) => candidate.name === 'gateway');
  if (!pod?.spec || !container) throw new Error('the Deployment has no gateway container');
  return { deployment, labels: pod.metadata?.labels ?? {}, spec: pod.spec, container };
}

/** Whether a label selector's `matchLabels` select pods with these labels. */
function selects(matchLabels: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  const wanted = Object.entries(matchLabels ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels[key] === value);
}

/** The value following `flag` in a container's arguments. */
function argument(args: readonly string[] | undefined, flag: string): string | undefined {
  const index = (args ?? []).indexOf(flag);
  return index === -1 ? undefined : args?.[index + 1];
}

/** The seconds a `sleep N` preStop hook waits. */
function preStopSeconds(container: ReturnType<typeof gatewayPod>['container']): number {
  const command = container.lifecycle?.preStop?.exec?.command ?? [];
  return command[0] === 'sleep' ? Number(command[1]) : 0;
}

describe.skipIf(skip !== undefined)('the Kubernetes manifests (deploy/k8s)', () => {
  let base: KubernetesObject[];
  let dev: KubernetesObject[];

  beforeAll(() => {
    base = renderKustomization('deploy/k8s/base');
    dev = renderKustomization('deploy/k8s/overlays/dev');
  });

  it('render to objects that every one validate against the Kubernetes schemas', () => {
    const errors = [...base, ...dev].map((object) => kubernetesSchemaError(object));

    expect(errors.filter(Boolean)).toEqual([]);
    expect(base.map((object) => object.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Service',
    ]);
    expect(
      dev.map((object) => `${object.kind}/${object.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`).sort(),
    ).toEqual([
      'ConfigMap/mcp-gateway-config',
      'Deployment/mcp-gateway',
      'Deployment/mcp-gateway-redis',
      'HorizontalPodAutoscaler/mcp-gateway',
      'Namespace/mcp-gateway-dev',
      'NetworkPolicy/mcp-gateway',
      'NetworkPolicy/mcp-gateway-redis',
      'PodDisruptionBudget/mcp-gateway',
      'Secret/mcp-gateway-secrets',
      'Service/mcp-gateway',
      'Service/mcp-gateway-redis',
    ]);
  });

  it('refuses what the schemas refuse: a wrong type, an unknown kind, an unknown API version', () => {
    const { deployment } = gatewayPod(base);
    const wrongType = { ...deployment, spec: { ...deployment.spec, replicas: 'three' } } as KubernetesObject;

    expect(kubernetesSchemaError(wrongType)).toMatch(/replicas/);
    expect(kubernetesSchemaError({ ...deployment, kind: 'Deploymnet' } as KubernetesObject)).toBe(
      'apps/v1 has no kind Deploymnet',
    );
    expect(kubernetesSchemaError({ ...deployment, apiVersion: 'apps/v9' } as KubernetesObject)).toMatch(
      /apps\/v9 is not a Kubernetes API version/,
    );
  });

  it('select the gateway pods from the Service, the PodDisruptionBudget, the NetworkPolicy and the autoscaler', () => {
    const { deployment, labels, container } = gatewayPod(dev);
    const service = findObject<IService>(dev, 'Service', GATEWAY);
    const budget = findObject<IPodDisruptionBudget>(dev, 'PodDisruptionBudget', GATEWAY);
    const policy = findObject<INetworkPolicy>(dev, 'NetworkPolicy', GATEWAY);
    const autoscaler = findObject<IHorizontalPodAutoscaler>(dev, 'HorizontalPodAutoscaler', GATEWAY);
    const redisPolicy = findObject<INetworkPolicy>(dev, 'NetworkPolicy', `${GATEWAY}-redis`);

    expect(selects(deployment.spec?.selector.matchLabels, labels)).toBe(true);
    expect(selects(service.spec?.selector, labels)).toBe(true);
    expect(service.spec?.sessionAffinity ?? 'None').toBe('None');
    expect(container.ports?.find((port) => port.name === service.spec?.ports?.[0]?.targetPort)).toBeDefined();
    expect(selects(budget.spec?.selector?.matchLabels, labels)).toBe(true);
    expect(selects(policy.spec?.podSelector.matchLabels, labels)).toBe(true);
    // Redis takes connections from the gateway pods only.
    expect(
      redisPolicy.spec?.ingress?.[0]?.from?.map((peer) => selects(peer.podSelector?.matchLabels, labels)),
    ).toEqual([true]);
    expect(autoscaler.spec?.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: GATEWAY });
    // The budget leaves room for a voluntary disruption at the autoscaler's floor.
    expect(Number(budget.spec?.minAvailable)).toBeLessThan(autoscaler.spec?.minReplicas ?? 1);
    expect(deployment.spec?.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
    expect(autoscaler.spec?.behavior?.scaleDown?.stabilizationWindowSeconds).toBeGreaterThanOrEqual(600);
  });

  it('give the Deployment every Secret key and the ConfigMap it names', () => {
    const { container, spec } = gatewayPod(dev);
    const secret = findObject<ISecret>(dev, 'Secret', `${GATEWAY}-secrets`);
    const configMap = findObject<IConfigMap>(dev, 'ConfigMap', `${GATEWAY}-config`);
    const redis = findObject<IDeployment>(dev, 'Deployment', `${GATEWAY}-redis`);
    const references = [...(container.env ?? []), ...(redis.spec?.template.spec?.containers[0]?.env ?? [])]
      .map((variable) => variable.valueFrom?.secretKeyRef)
      .filter((reference) => reference !== undefined);

    expect(references.length).toBeGreaterThanOrEqual(4);
    for (const reference of references) {
      expect(reference.name).toBe(secret.metadata?.name);
      expect(Object.keys(secret.data ?? {})).toContain(reference.key);
    }
    const volume = spec.volumes?.find((candidate) => candidate.configMap !== undefined);
    expect(volume?.configMap?.name).toBe(configMap.metadata?.name);
    const mount = container.volumeMounts?.find((candidate) => candidate.name === volume?.name);
    expect(argument(container.args, '--auto-register')).toBe(`${mount?.mountPath}/gateway-config.json`);
    expect(Object.keys(configMap.data ?? {})).toEqual(['gateway-config.json']);
  });

  it('take the replica id from the pod name and the advertised URL from the pod IP', () => {
    const { container } = gatewayPod(base);
    const fieldOf = (name: string) =>
      container.env?.find((variable) => variable.name === name)?.valueFrom?.fieldRef?.fieldPath;
    const port = container.ports?.find((candidate) => candidate.name === 'http')?.containerPort;

    expect(fieldOf('MCP_GATEWAY_REPLICA_ID')).toBe('metadata.name');
    expect(fieldOf('POD_IP')).toBe('status.podIP');
    expect(argument(container.args, '--advertise-url')).toBe(`http://$(POD_IP):${port}`);
    expect(argument(container.args, '--port')).toBe(String(port));
    expect(argument(container.args, '--transport')).toBe('streamable-http');
  });

  it('leave the pod longer to stop than its preStop wait, drain timeout and backend shutdown together', () => {
    const { spec, container } = gatewayPod(base);
    const drainSeconds = Number(argument(container.args, '--drain-timeout')) / 1000;
    // docs/cli.md: shutdown takes at most 5 s plus the drain timeout.
    const needed = preStopSeconds(container) + drainSeconds + 5;

    expect(drainSeconds).toBeGreaterThan(0);
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(needed);
  });

  it('run every container as non-root on a read-only root filesystem, with requests and limits', () => {
    const deployments = dev.filter((object) => object.kind === 'Deployment') as IDeployment[];

    expect(deployments).toHaveLength(2);
    for (const deployment of deployments) {
      const pod = deployment.spec?.template.spec;
      expect(pod?.securityContext?.runAsNonRoot).toBe(true);
      expect(pod?.securityContext?.runAsUser).toBeGreaterThan(0);
      for (const container of pod?.containers ?? []) {
        expect(container.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(Object.keys(container.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(container.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
      }
    }
  });

  it('name the image deploy/Dockerfile builds for this version, run as the user it sets', () => {
    const { container, spec } = gatewayPod(base);
    const { version } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const dockerfile = readFileSync(path.join(PROJECT_ROOT, 'deploy/Dockerfile'), 'utf8');

    expect(container.image).toBe(`mcp-gateway:${version}`);
    expect(dockerfile).toContain(`-t mcp-gateway:${version} `);
    expect(dockerfile).toMatch(new RegExp(`^USER ${spec.securityContext?.runAsUser}:`, 'm'));
    expect(dockerfile).toMatch(/^FROM node:20-slim$/m);
    expect(dockerfile).toContain('npm ci --omit=dev');
  });

  describe.skipIf(redisSkipReason() !== undefined)('a gateway started as the Deployment says', () => {
    let redis: TestRedis;
    let dir: string;

    beforeAll(async () => {
      redis = await startTestRedis();
      dir = await makeTempDir('gateway-k8s-');
    });

    afterAll(async () => {
      await redis.stop();
      await removeTempDir(dir);
    });

    it('joins the cluster with the Secret, loads the ConfigMap and answers the probes', async () => {
      const { container } = gatewayPod(dev);
      const secret = findObject<ISecret>(dev, 'Secret', `${GATEWAY}-secrets`);
      const configMap = findObject<IConfigMap>(dev, 'ConfigMap', `${GATEWAY}-config`);
      const decoded = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
      const config = path.join(dir, 'gateway-config.json');
      await writeFile(config, configMap.data?.['gateway-config.json'] ?? '');
      // What the kubelet would give: the downward API's values, the Secret's (Redis: this test's), $(VAR) expanded.
      const fields: Record<string, string> = { POD_IP: '127.0.0.1', POD_NAMESPACE: 'mcp-gateway-dev' };
      const env: Record<string, string> = { MCP_GATEWAY_REPLICA_ID: 'mcp-gateway-7d9f8-x2x4q' };
      for (const variable of container.env ?? []) {
        const key = variable.valueFrom?.secretKeyRef?.key;
        if (key !== undefined) env[variable.name] = key === 'redis-url' ? redis.url : decoded(key);
        else if (variable.value !== undefined) env[variable.name] = variable.value;
      }
      env.HOME = dir;
      const args = (container.args ?? []).map((arg) =>
        arg.replace(/\$\((\w+)\)/g, (_, name: string) => fields[name] ?? ''),
      );
      // Loopback and a free port instead of every interface and 8003: the rest exactly as the Deployment has it.
      args[args.indexOf('--host') + 1] = '127.0.0.1';
      args[args.indexOf('--port') + 1] = '0';
      args[args.indexOf('--auto-register') + 1] = config;

      const gateway = await startHttpGateway(args, { env });
      try {
        for (const probe of [container.readinessProbe, container.livenessProbe]) {
          const response = await fetch(new URL(probe?.httpGet?.path ?? '/missing', gateway.url));
          expect(response.status, probe?.httpGet?.path).toBe(200);
        }
        expect(gateway.stderr()).toMatch(/mcp-gateway-7d9f8-x2x4q/);
        expect(await redis.client.exists('mcpgw:replica:mcp-gateway-7d9f8-x2x4q')).toBe(1);
        // The Secret's values never reach the log.
        for (const key of ['auth-token', 'cluster-key']) expect(gateway.stderr()).not.toContain(decoded(key));
      } finally {
        expect(await gateway.stop()).toBe(0);
      }
    });
  });
});
