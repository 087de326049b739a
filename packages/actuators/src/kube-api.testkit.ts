/**
 * A tiny in-memory Kubernetes API server for tests (no apiserver can run here, STACK.md): exactly the endpoints
 * the Kubernetes actuator calls — apps/v1 Deployments and core/v1 ConfigMaps, GET/PATCH by name, POST to the
 * namespace collection. 404/409 answer with a `Status` object, as the real server does, so the client raises an
 * ApiException with that code. PATCH accepts JSON merge patches only (what the actuator sends). Like the real
 * server it adds defaults the actuator never sets (resourceVersion, imagePullPolicy), so equality checks that
 * ignore server-added fields are exercised.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

type Json = Record<string, unknown>;

const ROUTE = /^\/(apis\/apps\/v1|api\/v1)\/namespaces\/([^/]+)\/(deployments|configmaps)(?:\/([^/?]+))?$/;

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Json = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [key, value] of Object.entries(patch as Json)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Server-side defaulting the actuator must tolerate (a real server adds far more). */
function withDefaults(kind: string, object: Json, resourceVersion: number): Json {
  const copy = structuredClone(object);
  const metadata = (copy.metadata ?? {}) as Json;
  copy.metadata = { ...metadata, resourceVersion: String(resourceVersion), uid: metadata.uid ?? `uid-${resourceVersion}` };
  if (kind === 'deployments') {
    const containers = (((copy.spec as Json | undefined)?.template as Json | undefined)?.spec as Json | undefined)?.containers;
    if (Array.isArray(containers)) for (const c of containers as Json[]) c.imagePullPolicy ??= 'IfNotPresent';
  }
  return copy;
}

export class FakeKubeApi {
  readonly requests: RecordedRequest[] = [];
  private readonly objects = new Map<string, Json>();
  private readonly failures: { method: string; path: RegExp; status: number }[] = [];
  private resourceVersion = 0;
  private server: Server | undefined;
  private port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'tester', token: 'test-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'tester' }],
      currentContext: 'fake',
    });
    return kc;
  }

  /** The stored object (with server defaults), or undefined. */
  get(kind: 'deployments' | 'configmaps', namespace: string, name: string): Json | undefined {
    const object = this.objects.get(`${kind}/${namespace}/${name}`);
    return object === undefined ? undefined : structuredClone(object);
  }

  /** Replaces a stored object behind the actuator's back (drift, another writer). */
  put(kind: 'deployments' | 'configmaps', namespace: string, name: string, object: Json): void {
    this.objects.set(`${kind}/${namespace}/${name}`, withDefaults(kind, object, ++this.resourceVersion));
  }

  /** The next request matching method and path gets `status` (a Status body) instead of being served. */
  failNext(method: string, path: RegExp, status: number): void {
    this.failures.push({ method, path, status });
  }

  /** Recorded requests that write (POST/PATCH/PUT/DELETE). */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', this.url).pathname;
    const body: unknown = raw === '' ? undefined : JSON.parse(raw);
    this.requests.push({ method, path, contentType: req.headers['content-type'], body });

    const failure = this.failures.findIndex((f) => f.method === method && f.path.test(path));
    if (failure >= 0) {
      const { status } = this.failures.splice(failure, 1)[0]!;
      return this.status(res, status, 'InternalError', `injected failure ${status} for ${method} ${path}`);
    }
    const match = ROUTE.exec(path);
    if (!match) return this.status(res, 404, 'NotFound', `no route ${method} ${path}`);
    const [, , namespace, kind, name] = match as unknown as [string, string, string, 'deployments' | 'configmaps', string | undefined];
    const key = (n: string) => `${kind}/${namespace}/${n}`;

    if (method === 'GET' && name !== undefined) {
      const object = this.objects.get(key(name));
      return object ? this.json(res, 200, object) : this.status(res, 404, 'NotFound', `${kind} "${name}" not found`);
    }
    if (method === 'POST' && name === undefined) {
      const object = body as Json;
      const objectName = (object.metadata as Json | undefined)?.name as string;
      if (this.objects.has(key(objectName))) return this.status(res, 409, 'AlreadyExists', `${kind} "${objectName}" already exists`);
      const stored = withDefaults(kind, { ...object, metadata: { ...(object.metadata as Json), namespace } }, ++this.resourceVersion);
      this.objects.set(key(objectName), stored);
      return this.json(res, 201, stored);
    }
    if (method === 'PATCH' && name !== undefined) {
      if (req.headers['content-type'] !== 'application/merge-patch+json') {
        return this.status(res, 415, 'UnsupportedMediaType', `fake server takes merge patches only, got ${req.headers['content-type']}`);
      }
      const current = this.objects.get(key(name));
      if (!current) return this.status(res, 404, 'NotFound', `${kind} "${name}" not found`);
      const stored = withDefaults(kind, mergePatch(current, body) as Json, ++this.resourceVersion);
      this.objects.set(key(name), stored);
      return this.json(res, 200, stored);
    }
    return this.status(res, 405, 'MethodNotAllowed', `${method} ${path} not implemented`);
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private status(res: ServerResponse, code: number, reason: string, message: string): void {
    this.json(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  }
}
