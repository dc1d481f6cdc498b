/**
 * Renders the Kustomize trees under deploy/k8s with kubectl's built-in kustomize (no cluster involved), and
 * validates each object against the Kubernetes schemas the `kubernetes-models` package carries.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

import { parseAllDocuments } from 'yaml';

import { PROJECT_ROOT } from '../gateway-process.js';
import { findProgram } from './system-tool.js';

/** Any rendered object: what every Kubernetes object has, the rest read through the kind's own interface. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

/** The objects `kubectl kustomize <folder>` prints, `folder` relative to the project. */
export function renderKustomization(folder: string): KubernetesObject[] {
  const kubectl = findProgram('kubectl');
  if (kubectl === undefined)
    throw new Error('kubectl is not installed (apt-get install -y kubernetes-client)');
  const rendered = spawnSync(kubectl, ['kustomize', path.join(PROJECT_ROOT, folder)], { encoding: 'utf8' });
  if (rendered.status !== 0) {
    throw new Error(`kubectl kustomize ${folder} exited with ${rendered.status}:\n${rendered.stderr}`);
  }
  return parseAllDocuments(rendered.stdout).map((document) => {
    if (document.errors.length > 0) throw new Error(`${folder}: ${document.errors[0]?.message}`);
    return document.toJS() as KubernetesObject;
  });
}

type Model = new (data: unknown) => { validate(): void };

// The models of one API version, as `kubernetes-models/<apiVersion>` exports them; required rather than imported,
// as the bundler the tests run under would try (and fail) to resolve a computed import ahead of time.
const require = createRequire(import.meta.url);

/**
 * Why `object` is not a valid Kubernetes object (an unknown apiVersion or kind, or what its schema refuses), or
 * undefined when it is valid. Unknown fields pass: the schemas allow them.
 */
export function kubernetesSchemaError(object: KubernetesObject): string | undefined {
  let models: Record<string, unknown>;
  try {
    models = require(`kubernetes-models/${object.apiVersion}`) as Record<string, unknown>;
  } catch {
    return `apiVersion ${object.apiVersion} is not a Kubernetes API version`;
  }
  const model = models[object.kind];
  if (typeof model !== 'function') return `${object.apiVersion} has no kind ${object.kind}`;
  try {
    new (model as Model)(withoutWrappedBase64(object)).validate();
    return undefined;
  } catch (error) {
    return `${object.kind} ${object.metadata.name}: ${(error as Error).message}`;
  }
}

/**
 * kustomize wraps long base64 values of a Secret's `data` over several lines; the API server ignores the line
 * breaks, the schema's `byte` format does not.
 */
function withoutWrappedBase64(object: KubernetesObject): KubernetesObject {
  const data = (object as { data?: Record<string, string> }).data;
  if (object.kind !== 'Secret' || data === undefined) return object;
  return {
    ...object,
    data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, value.replace(/\s/g, '')])),
  } as KubernetesObject;
}

/**
 * The one object of this kind and name (or a generated name: the name, a dash and kustomize's content hash);
 * throws naming what is there otherwise.
 */
export function findObject<T>(objects: readonly KubernetesObject[], kind: string, name: string): T {
  const named = (actual: string) => actual === name || new RegExp(`^${name}-[a-z0-9]{10}$`).test(actual);
  const found = objects.filter((object) => object.kind === kind && named(object.metadata.name));
  if (found.length !== 1) {
    const names = objects.map((object) => `${object.kind}/${object.metadata.name}`).join(', ');
    throw new Error(`expected one ${kind} named ${name}*, found ${found.length} among ${names}`);
  }
  return found[0] as T;
}
