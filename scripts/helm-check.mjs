// Validates the Helm chart's rendered manifests (written by helm/render, see scripts/helm-check.sh).
//
//   node scripts/helm-check.mjs <rendered-dir>:<profile> …      profile: default | production
//
// Per document: parsed with `yaml` (errors and warnings fail), then
//   1. schema: `new <Kind>(obj).validate()` from kubernetes-models (the Kubernetes OpenAPI schemas: types,
//      required fields, enums);
//   2. unknown fields: the same objects are typed against kubernetes-models' TypeScript interfaces and compiled
//      with tsc, whose excess-property check rejects any field Kubernetes does not know (a misspelt
//      `initialDelaySecond` passes the JSON schema, which allows extra properties, but not this);
//   3. the chart's own contract: names, selectors ↔ labels, Services/PDB/HPA/RBAC pointing at real objects,
//      probes on /healthz and /readyz at docs/configuration.md's ports, non-root security contexts, the
//      migrations hook Job, and which objects each profile must (not) render.
// Exits 1 listing every problem; prints "N passed, 0 failed" when all checks pass.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const problems = [];
let passed = 0;
const check = (ok, message) => {
  if (ok) passed += 1;
  else problems.push(message);
  return ok;
};

const PORTS = { api: ['PORT', 8080], worker: ['WORKER_PORT', 8081], 'shadow-runner': ['SHADOW_RUNNER_PORT', 8082] };
const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** kubernetes-models module of an apiVersion + kind: core "v1" → "v1/Kind", "apps/v1" → "apps/v1/Kind". */
const modelPath = (apiVersion, kind) => `kubernetes-models/${apiVersion}/${kind}`;

function load(dir) {
  const text = readFileSync(join(dir, 'manifests.yaml'), 'utf8');
  const objects = [];
  for (const doc of parseAllDocuments(text)) {
    for (const e of [...doc.errors, ...doc.warnings]) problems.push(`${dir}: YAML: ${e.message}`);
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue; // empty document (a template that rendered nothing)
    objects.push(obj);
  }
  return objects;
}

const id = (o) => `${o.kind}/${o.metadata?.namespace ?? '?'}/${o.metadata?.name ?? '?'}`;
const subset = (small, big) => Object.entries(small ?? {}).every(([k, v]) => big?.[k] === v);

async function schemaCheck(label, objects) {
  for (const o of objects) {
    let Model;
    try {
      Model = (await import(modelPath(o.apiVersion, o.kind)))[o.kind];
    } catch {
      check(false, `${label}: ${id(o)}: no kubernetes-models class for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new Model(o).validate();
      check(true);
    } catch (e) {
      check(false, `${label}: ${id(o)}: schema: ${e.message}`);
    }
  }
}

function podChecks(label, o, podSpec, { component, kind }) {
  const where = `${label}: ${id(o)}`;
  const psc = podSpec.securityContext ?? {};
  check(psc.runAsNonRoot === true && psc.runAsUser > 0, `${where}: pod securityContext must be non-root`);
  check(psc.seccompProfile?.type === 'RuntimeDefault', `${where}: pod seccompProfile must be RuntimeDefault`);
  for (const c of podSpec.containers ?? []) {
    const sc = c.securityContext ?? {};
    check(
      sc.runAsNonRoot === true && sc.allowPrivilegeEscalation === false && sc.readOnlyRootFilesystem === true &&
        JSON.stringify(sc.capabilities?.drop) === '["ALL"]',
      `${where}: container ${c.name}: securityContext must be non-root, read-only, no privilege escalation, drop ALL`,
    );
    check(c.resources?.requests && c.resources?.limits?.memory, `${where}: container ${c.name}: needs requests and a memory limit`);
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));
    check(env.DATABASE_URL?.valueFrom?.secretKeyRef?.name, `${where}: DATABASE_URL must come from a Secret`);
    for (const name of ['AIRLOCK_BOOTSTRAP_ADMIN_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      check(!env[name] || env[name].valueFrom?.secretKeyRef, `${where}: ${name} may only come from a Secret`);
    }
    const mounts = new Set((c.volumeMounts ?? []).map((m) => m.mountPath));
    check(mounts.has('/data') && mounts.has('/tmp'), `${where}: /data and /tmp must be writable volumes`);
    if (kind === 'Job') continue;
    const [portEnv, port] = PORTS[component];
    const http = (c.ports ?? []).find((p) => p.name === 'http');
    check(http?.containerPort === port, `${where}: container port "http" must be ${port}`);
    check(env[portEnv]?.value === String(port), `${where}: ${portEnv} must be "${port}"`);
    check(
      c.livenessProbe?.httpGet?.path === '/healthz' && c.livenessProbe.httpGet.port === 'http',
      `${where}: liveness probe must be GET /healthz on port http`,
    );
    check(
      c.readinessProbe?.httpGet?.path === '/readyz' && c.readinessProbe.httpGet.port === 'http',
      `${where}: readiness probe must be GET /readyz on port http`,
    );
    check(
      JSON.stringify(c.command) === JSON.stringify(['node', `apps/${component}/dist/main.js`]),
      `${where}: command must be node apps/${component}/dist/main.js`,
    );
    const envFromCm = (c.envFrom ?? []).map((e) => e.configMapRef?.name).filter(Boolean);
    check(envFromCm.length > 0, `${where}: must read the chart's ConfigMap`);
  }
}

function contractChecks(label, objects, profile) {
  const byKind = (kind) => objects.filter((o) => o.kind === kind);
  const seen = new Set();
  for (const o of objects) {
    check(!seen.has(id(o)), `${label}: duplicate object ${id(o)}`);
    seen.add(id(o));
    check(DNS1123.test(o.metadata?.name ?? '') && o.metadata.name.length <= 63, `${label}: ${id(o)}: name is not a DNS-1123 label`);
    check(o.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'Helm', `${label}: ${id(o)}: missing the chart's labels`);
  }
  const deployments = byKind('Deployment');
  const configMaps = new Set(byKind('ConfigMap').map((o) => o.metadata.name));
  const components = deployments.map((d) => d.metadata.labels['app.kubernetes.io/component']).sort();
  check(JSON.stringify(components) === '["api","shadow-runner","worker"]', `${label}: expected Deployments api, worker, shadow-runner, got ${components}`);
  for (const d of deployments) {
    const component = d.metadata.labels['app.kubernetes.io/component'];
    const tpl = d.spec.template;
    check(subset(d.spec.selector.matchLabels, tpl.metadata.labels), `${label}: ${id(d)}: selector does not match its pod labels`);
    podChecks(label, d, tpl.spec, { component, kind: 'Deployment' });
    for (const c of tpl.spec.containers) {
      for (const ref of c.envFrom ?? []) {
        if (ref.configMapRef) check(configMaps.has(ref.configMapRef.name), `${label}: ${id(d)}: ConfigMap ${ref.configMapRef.name} is not rendered`);
      }
    }
    check(tpl.metadata.annotations?.['checksum/config'], `${label}: ${id(d)}: pods must roll when the ConfigMap changes`);
  }
  const podsOf = (selector) => deployments.filter((d) => subset(selector, d.spec.template.metadata.labels));
  for (const s of byKind('Service')) {
    const targets = podsOf(s.spec.selector);
    check(targets.length === 1, `${label}: ${id(s)}: selects ${targets.length} Deployments, expected 1`);
    for (const p of s.spec.ports) {
      const named = targets.flatMap((d) => d.spec.template.spec.containers.flatMap((c) => c.ports ?? [])).some((cp) => cp.name === p.targetPort);
      check(named, `${label}: ${id(s)}: targetPort ${p.targetPort} is no container port`);
    }
  }
  for (const p of byKind('PodDisruptionBudget')) {
    check(podsOf(p.spec.selector.matchLabels).length === 1, `${label}: ${id(p)}: selects no single Deployment`);
    check((p.spec.minAvailable === undefined) !== (p.spec.maxUnavailable === undefined), `${label}: ${id(p)}: exactly one of minAvailable/maxUnavailable`);
  }
  for (const h of byKind('HorizontalPodAutoscaler')) {
    const target = deployments.find((d) => d.metadata.name === h.spec.scaleTargetRef.name);
    check(target, `${label}: ${id(h)}: scale target ${h.spec.scaleTargetRef.name} is not rendered`);
    check(target && target.spec.replicas === undefined, `${label}: ${id(h)}: the Deployment must leave replicas to the HPA`);
    check(h.spec.minReplicas <= h.spec.maxReplicas, `${label}: ${id(h)}: minReplicas > maxReplicas`);
  }
  const roles = byKind('Role');
  const serviceAccounts = byKind('ServiceAccount');
  for (const rb of byKind('RoleBinding')) {
    const role = roles.find((r) => r.metadata.name === rb.roleRef.name && r.metadata.namespace === rb.metadata.namespace);
    check(role, `${label}: ${id(rb)}: Role ${rb.roleRef.name} is not rendered in ${rb.metadata.namespace}`);
    for (const s of rb.subjects) {
      check(serviceAccounts.some((sa) => sa.metadata.name === s.name && sa.metadata.namespace === s.namespace), `${label}: ${id(rb)}: ServiceAccount ${s.namespace}/${s.name} is not rendered`);
    }
  }
  for (const r of roles) {
    // exactly docs/kubernetes-actuator.md's RBAC: get/create/patch on deployments (apps) and configmaps (core)
    const rules = JSON.stringify(r.rules.map((x) => [x.apiGroups, x.resources, [...x.verbs].sort()]));
    check(rules === JSON.stringify([[['apps'], ['deployments'], ['create', 'get', 'patch']], [[''], ['configmaps'], ['create', 'get', 'patch']]]), `${label}: ${id(r)}: rules differ from docs/kubernetes-actuator.md`);
  }
  const worker = deployments.find((d) => d.metadata.labels['app.kubernetes.io/component'] === 'worker');
  const workerEnv = Object.fromEntries(worker.spec.template.spec.containers[0].env.map((e) => [e.name, e.value]));
  for (const d of deployments.filter((x) => x !== worker)) {
    check(d.spec.template.spec.automountServiceAccountToken === false, `${label}: ${id(d)}: must not mount a service account token`);
  }
  const jobs = byKind('Job');
  check(jobs.length === 1, `${label}: expected one migrations Job, got ${jobs.length}`);
  for (const j of jobs) {
    check(j.metadata.annotations?.['helm.sh/hook'] === 'pre-install,pre-upgrade', `${label}: ${id(j)}: must be a pre-install,pre-upgrade hook`);
    const c = j.spec.template.spec.containers[0];
    check(JSON.stringify(c.command) === '["node","apps/cli/bin/airlock.js","migrate"]', `${label}: ${id(j)}: must run node apps/cli/bin/airlock.js migrate`);
    check(!(c.envFrom ?? []).some((e) => e.configMapRef), `${label}: ${id(j)}: a pre-install hook cannot read the chart's ConfigMap (not created yet)`);
    podChecks(label, j, j.spec.template.spec, { component: 'migrate', kind: 'Job' });
  }
  const api = deployments.find((d) => d.metadata.labels['app.kubernetes.io/component'] === 'api');
  const apiEnv = Object.fromEntries(api.spec.template.spec.containers[0].env.map((e) => [e.name, e.value]));
  check(apiEnv.AIRLOCK_MIGRATE_ON_START === (jobs.length ? 'false' : 'true'), `${label}: api AIRLOCK_MIGRATE_ON_START must be false when the hook Job migrates`);

  const shadowEnv = Object.fromEntries(deployments.find((d) => d.metadata.name.endsWith('shadow-runner')).spec.template.spec.containers[0].env.map((e) => [e.name, e.value]));
  const cm = byKind('ConfigMap')[0]?.data ?? {};
  if (profile === 'production') {
    check(roles.length === 1 && byKind('RoleBinding').length === 1 && serviceAccounts.length === 1, `${label}: the actuator's ServiceAccount, Role and RoleBinding must be rendered`);
    check(worker.spec.template.spec.serviceAccountName === serviceAccounts[0]?.metadata.name, `${label}: the worker must run as the actuator's ServiceAccount`);
    check(workerEnv.AIRLOCK_ACTUATOR === 'kubernetes' && workerEnv.AIRLOCK_KUBECONFIG === 'in-cluster' && workerEnv.AIRLOCK_K8S_ENGINE_IMAGE, `${label}: worker must run the Kubernetes actuator in-cluster`);
    check(workerEnv.AIRLOCK_K8S_NAMESPACE === roles[0]?.metadata.namespace, `${label}: the Role must be in the actuator's namespace`);
    check(byKind('HorizontalPodAutoscaler').length === 1, `${label}: the worker HPA must be rendered`);
    check(/^nats:\/\//.test(shadowEnv.AIRLOCK_LIVE_FLOW ?? ''), `${label}: AIRLOCK_LIVE_FLOW must be nats://…`);
    check(/^s3:\/\//.test(cm.AIRLOCK_ARTIFACT_STORE ?? ''), `${label}: AIRLOCK_ARTIFACT_STORE must be s3://…`);
  } else {
    check(roles.length === 0 && byKind('RoleBinding').length === 0 && serviceAccounts.length === 0, `${label}: no RBAC unless worker.kubernetesActuator.enabled`);
    check(workerEnv.AIRLOCK_ACTUATOR === undefined && worker.spec.template.spec.automountServiceAccountToken === false, `${label}: worker must not run the Kubernetes actuator by default`);
    check(byKind('HorizontalPodAutoscaler').length === 0, `${label}: no HPA by default`);
  }
  check(cm.HOST === '0.0.0.0', `${label}: HOST must be 0.0.0.0 in containers`);
}

/** Unknown-field check: each object as an object literal typed with kubernetes-models' interface, compiled by tsc. */
function typeCheck(sets) {
  const dir = join(root, 'helm/render/out/typecheck');
  mkdirSync(dir, { recursive: true });
  const imports = new Map();
  const lines = [];
  let n = 0;
  for (const { label, objects } of sets) {
    for (const o of objects) {
      const alias = `I_${o.apiVersion.replace(/[^A-Za-z0-9]/g, '_')}_${o.kind}`;
      imports.set(alias, `import type { I${o.kind} as ${alias} } from '${modelPath(o.apiVersion, o.kind)}';`);
      lines.push(`// ${label}: ${id(o)}`, `export const o${n++}: ${alias} = ${JSON.stringify(o, null, 2)};`);
    }
  }
  writeFileSync(join(dir, 'manifests.ts'), [...imports.values(), ...lines, ''].join('\n'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: true, types: [] },
      files: ['manifests.ts'],
    }),
  );
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript-7/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
  const out = `${tsc.stdout}${tsc.stderr}`.trim();
  check(tsc.status === 0, `unknown or mistyped fields (tsc against kubernetes-models' interfaces):\n${out}`);
}

const sets = [];
for (const arg of process.argv.slice(2)) {
  const [dir, profile = 'default'] = arg.split(':');
  const objects = load(dir);
  sets.push({ label: `${profile} (${dir})`, objects, profile });
}
if (sets.length === 0) {
  console.error('usage: node scripts/helm-check.mjs <rendered-dir>:<default|production> …');
  process.exit(2);
}
for (const { label, objects, profile } of sets) {
  await schemaCheck(label, objects);
  contractChecks(label, objects, profile);
  console.log(`${label}: ${objects.length} objects (${[...new Set(objects.map((o) => o.kind))].join(', ')})`);
}
typeCheck(sets);
for (const p of problems) console.error(`FAIL ${p}`);
console.log(`helm: ${passed} passed, ${problems.length} failed`);
process.exit(problems.length ? 1 : 0);
