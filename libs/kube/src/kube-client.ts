// The platform's one door to a Kubernetes API: server-side apply of any object under our field manager, get, list
// and delete by kind ("already gone" is success), and a readiness ping. A thin layer over @kubernetes/client-node.
import { request as httpsRequest } from 'node:https';
import {
  HttpMethod,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
  type V1ObjectMeta,
} from '@kubernetes/client-node';
import { KubeApiError, toKubeApiError } from './kube-api-error';

/** What identifies one object: its kind's apiVersion and kind, its name, and its namespace if it is namespaced. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export type KubeObject = KubernetesObject & { apiVersion: string; kind: string; metadata: { name: string } };

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface KubeClientOptions {
  /** A kubeconfig file; without it the pod's in-cluster service account is used. */
  kubeconfigPath?: string;
  /** Names our writes in managedFields; one per component (`kubelabs-provisioner`). */
  fieldManager: string;
}

const pageSize = 500;
const maxPages = 1000;

function describe(ref: { kind: string; name?: string; namespace?: string }): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name ?? ''}`.trim();
}

function header(ref: ObjectRef) {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: ref.namespace === undefined ? { name: ref.name } : { name: ref.name, namespace: ref.namespace },
  };
}

export function loadKubeConfig(kubeconfigPath?: string): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromCluster();
  return kc;
}

/**
 * KubernetesObjectApi.patch runs built-in kinds through the library's typed serializer, which expects its own field
 * names and silently drops wire names it does not know (a CRD's `x-kubernetes-int-or-string`, `$ref`). Apply sends
 * the object exactly as written instead, which is also what server-side apply should see.
 */
class ObjectApi extends KubernetesObjectApi {
  static forConfig(config: KubeConfig): ObjectApi {
    const api = config.makeApiClient(ObjectApi);
    api.setDefaultNamespace(config);
    return api;
  }

  /**
   * Objects come back exactly as the API server sent them. The library's typed deserializer renames wire fields
   * (`from` → `_from`, `default` → `_default`) and turns timestamps into Dates, so what a reconciler read would never
   * compare equal to what it applied, nor to what a watch delivers (raw JSON).
   */
  protected override async processResponse<T extends KubernetesObject>(
    response: Parameters<KubernetesObjectApi['processResponse']>[0],
    type?: string,
  ): Promise<T> {
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) {
      return JSON.parse(await response.body.text()) as T;
    }
    return super.processResponse<T>(response, type);
  }

  /** The URL path of a kind's collection (`/api/v1/namespaces/x/services`), from discovery (cached). */
  collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    return this.specUriPath({ apiVersion, kind, metadata: namespace ? { namespace } : {} }, 'list');
  }

  async applyAsWritten<T extends KubernetesObject>(object: KubeObject, fieldManager: string): Promise<T> {
    const target = { apiVersion: object.apiVersion, kind: object.kind, metadata: { ...object.metadata } };
    const path = await this.specUriPath(target, 'patch');
    const patch = this.configuration.baseServer.makeRequestContext(path, HttpMethod.PATCH);
    patch.setQueryParam('fieldManager', fieldManager);
    patch.setQueryParam('force', 'true');
    patch.setHeaderParam('Accept', 'application/json');
    patch.setHeaderParam('Content-Type', PatchStrategy.ServerSideApply);
    patch.setBody(JSON.stringify(object));
    return this.requestPromise<T>(patch);
  }

  /** A JSON merge patch, on the object or on one of its subresources (`status`). */
  async mergePatch<T extends KubernetesObject>(ref: ObjectRef, body: unknown, subresource?: string): Promise<T> {
    const path = await this.specUriPath(header(ref), 'patch');
    const patch = this.configuration.baseServer.makeRequestContext(
      subresource ? `${path}/${subresource}` : path,
      HttpMethod.PATCH,
    );
    patch.setHeaderParam('Accept', 'application/json');
    patch.setHeaderParam('Content-Type', PatchStrategy.MergePatch);
    patch.setBody(JSON.stringify(body));
    return this.requestPromise<T>(patch);
  }
}

export class KubeClient {
  readonly config: KubeConfig;
  readonly fieldManager: string;
  private readonly objects: ObjectApi;

  constructor(config: KubeConfig, fieldManager: string) {
    this.config = config;
    this.fieldManager = fieldManager;
    this.objects = ObjectApi.forConfig(config);
  }

  static create({ kubeconfigPath, fieldManager }: KubeClientOptions): KubeClient {
    return new KubeClient(loadKubeConfig(kubeconfigPath), fieldManager);
  }

  /** Server-side apply, forcing ownership of the fields we set: re-applying the same object changes nothing. */
  async apply<T extends KubeObject>(object: T): Promise<T & { metadata: V1ObjectMeta }> {
    try {
      return await this.objects.applyAsWritten<T & { metadata: V1ObjectMeta }>(object, this.fieldManager);
    } catch (error) {
      throw toKubeApiError(error, `apply ${describe({ ...object, ...object.metadata })}`);
    }
  }

  /**
   * A JSON merge patch of an existing object (or its `status` subresource), e.g. annotations on an object someone else
   * owns. Unlike apply it never creates: an object that is gone stays gone (undefined).
   */
  async mergePatch<T extends KubernetesObject = KubernetesObject>(
    ref: ObjectRef,
    body: unknown,
    { subresource }: { subresource?: 'status' } = {},
  ): Promise<T | undefined> {
    try {
      return await this.objects.mergePatch<T>(ref, body, subresource);
    } catch (error) {
      const mapped = toKubeApiError(error, `patch ${describe(ref)}${subresource ? `/${subresource}` : ''}`);
      if (mapped instanceof KubeApiError && mapped.code === 'kube.not_found') return undefined;
      throw mapped;
    }
  }

  /** The object, or undefined when it (or its kind) does not exist. */
  async get<T extends KubernetesObject = KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.objects.read<T>(header(ref));
    } catch (error) {
      const mapped = toKubeApiError(error, `get ${describe(ref)}`);
      if (mapped instanceof KubeApiError && mapped.code === 'kube.not_found') return undefined;
      throw mapped;
    }
  }

  /** All objects of a kind (in one namespace, or in all when namespace is omitted), following continue tokens. */
  async list<T extends KubernetesObject = KubernetesObject>(
    apiVersion: string,
    kind: string,
    options: ListOptions = {},
  ): Promise<T[]> {
    return (await this.listWithVersion<T>(apiVersion, kind, options)).items;
  }

  /** Like `list`, with the collection's resourceVersion: where a watch that follows the list starts. */
  async listWithVersion<T extends KubernetesObject = KubernetesObject>(
    apiVersion: string,
    kind: string,
    options: ListOptions = {},
  ): Promise<{ items: T[]; resourceVersion: string }> {
    const items: T[] = [];
    let continueToken: string | undefined;
    let resourceVersion = '';
    for (let page = 0; page < maxPages; page++) {
      try {
        const list = await this.objects.list<T>(
          apiVersion,
          kind,
          options.namespace,
          undefined,
          undefined,
          undefined,
          options.fieldSelector,
          options.labelSelector,
          pageSize,
          continueToken,
        );
        items.push(...list.items);
        resourceVersion = list.metadata?.resourceVersion ?? resourceVersion;
        // The raw list: the wire name of the token is `continue`.
        continueToken = (list.metadata as { continue?: string } | undefined)?.continue;
      } catch (error) {
        throw toKubeApiError(error, `list ${kind}${options.namespace ? ` in ${options.namespace}` : ''}`);
      }
      if (!continueToken) return { items, resourceVersion };
    }
    throw new KubeApiError('kube.error', `list ${kind}: more than ${maxPages * pageSize} objects`);
  }

  /** The URL path of a kind's collection, for watches. */
  collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    return this.objects.collectionPath(apiVersion, kind, namespace);
  }

  /**
   * Deletes an object, dependents in the background. Returns false when it was already gone: deleting something
   * that does not exist is success, so reconcilers can call this on every pass.
   */
  async delete(ref: ObjectRef, { propagationPolicy = 'Background' } = {}): Promise<boolean> {
    try {
      await this.objects.delete(header(ref), undefined, undefined, undefined, undefined, propagationPolicy);
      return true;
    } catch (error) {
      const mapped = toKubeApiError(error, `delete ${describe(ref)}`);
      if (mapped instanceof KubeApiError && mapped.code === 'kube.not_found') return false;
      throw mapped;
    }
  }

  /** Waits until a namespace has been deleted and finalized, polling; throws kube.timeout after `timeoutMs`. */
  async waitForNamespaceGone(name: string, { timeoutMs = 60_000, intervalMs = 250 } = {}): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const ref = { apiVersion: 'v1', kind: 'Namespace', name };
    while (Date.now() < deadline) {
      if ((await this.get(ref)) === undefined) return;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    throw new KubeApiError('kube.timeout', `namespace ${name} still exists after ${timeoutMs} ms`);
  }

  /** Cheap readiness check: GET /readyz. Resolves when the API server reports ready, otherwise throws. */
  async ping({ timeoutMs = 5_000 } = {}): Promise<void> {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new KubeApiError('kube.error', 'ping: the kubeconfig has no current cluster');
    const url = new URL('/readyz', cluster.server);
    const options: Parameters<typeof httpsRequest>[1] = { method: 'GET', timeout: timeoutMs };
    await this.config.applyToHTTPSOptions(options);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(url, options, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', (error: NodeJS.ErrnoException) =>
        reject(
          new KubeApiError(
            'kube.unreachable',
            `ping ${url.origin}: ${error.code ?? error.message}`,
            undefined,
            undefined,
            [],
            { cause: error },
          ),
        ),
      );
      req.end();
    });
    if (status !== 200)
      throw new KubeApiError(
        status >= 500 ? 'kube.unavailable' : 'kube.error',
        `ping ${url.origin}: /readyz answered ${status}`,
        status,
      );
  }
}
