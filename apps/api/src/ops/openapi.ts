import { ACTIONS, DEPLOYMENT_NAME_PATTERN, FEATURES, MODEL_NAME_PATTERN, MODEL_TIERS, PROMOTION_PHASES, ROLES } from '@airlock/core';
import { SHADOW_PHASES } from '@airlock/shadow';

/**
 * The live HTTP contract, served at /openapi.json (and rendered at /docs). Kept beside the controllers it
 * describes; a test checks that every route the app serves appears here.
 */
const problem = { $ref: '#/components/responses/Problem' };
const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [String(s), problem]));
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: object = { type: 'object' }) => ({ description, ...json(schema) });
const nameParam = { name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: MODEL_NAME_PATTERN.source } };
const versionParam = { name: 'version', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
const deploymentParam = { name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: DEPLOYMENT_NAME_PATTERN.source } };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const pageParams = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
  { name: 'after', in: 'query', schema: { type: 'string' }, description: 'the `next` cursor of the previous page' },
];
const idempotencyKey = { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 } };
const roles = (...r: string[]) => ({ 'x-roles': r, description: `Roles: ${r.join(', ')}.` });

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Airlock API',
    version: '1.0.0',
    description:
      'Control plane for machine-learning execution models: registry, validation, shadow, approval, canary rollout and audit. ' +
      'Errors are RFC 9457 application/problem+json with a stable `code`.',
  },
  security: [{ bearer: [] }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer ak_…`' } },
    responses: {
      Problem: {
        description: 'RFC 9457 problem details',
        content: {
          'application/problem+json': {
            schema: {
              type: 'object',
              required: ['type', 'title', 'status', 'detail', 'code'],
              properties: {
                type: { type: 'string' },
                title: { type: 'string' },
                status: { type: 'integer' },
                detail: { type: 'string' },
                code: { type: 'string' },
                errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
              },
            },
          },
        },
      },
    },
    schemas: {
      Model: {
        type: 'object',
        properties: {
          name: { type: 'string', pattern: MODEL_NAME_PATTERN.source },
          description: { type: 'string' },
          owner: { type: 'string' },
          assetClass: { type: 'string' },
          tier: { enum: MODEL_TIERS },
          createdAt: { type: 'string', format: 'date-time' },
          createdBy: { type: 'string' },
        },
      },
      Version: {
        type: 'object',
        properties: {
          model: { type: 'string' },
          version: { type: 'integer' },
          sha256: { type: 'string' },
          sizeBytes: { type: 'integer' },
          status: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
          createdBy: { type: 'string' },
          features: { type: 'array', items: { enum: FEATURES.map((f) => f.name) } },
          actions: { type: 'array', items: { enum: ACTIONS.map((a) => a.name) } },
          training: { type: ['object', 'null'] },
          tags: { type: 'array', items: { type: 'string' } },
          inspection: { type: 'object', description: 'shapes, opset, probe output ranges, inference latency (µs)' },
        },
      },
      AuditEvent: {
        type: 'object',
        properties: {
          seq: { type: 'integer' },
          at: { type: 'string', format: 'date-time' },
          actor: { type: 'string' },
          action: { type: 'string' },
          subject: { type: 'string' },
          data: {},
          prevHash: { type: 'string' },
          hash: { type: 'string' },
        },
      },
    },
  },
  paths: {
    '/v1/api-keys': {
      post: {
        summary: 'Create an API key (shown once)',
        ...roles('admin'),
        parameters: [idempotencyKey],
        requestBody: json({ type: 'object', required: ['name', 'roles'], properties: { name: { type: 'string' }, roles: { type: 'array', items: { enum: ROLES } } } }),
        responses: { '201': ok('created; `key` is shown only here'), ...errors(400, 401, 403) },
      },
      get: { summary: 'List API keys', ...roles('admin'), responses: { '200': ok('keys (never the secrets)'), ...errors(401, 403) } },
    },
    '/v1/actors': {
      get: {
        summary: 'Who is who in the record: every key as `actor` (key:<id>) with its name, roles and whether it was revoked; never a secret',
        responses: {
          '200': ok('{ items: [{ actor, name, roles, revoked }] }', {
            type: 'object',
            properties: { items: { type: 'array', items: { type: 'object', properties: { actor: { type: 'string' }, name: { type: 'string' }, roles: { type: 'array', items: { enum: ROLES } }, revoked: { type: 'boolean' } } } } },
          }),
          ...errors(401),
        },
      },
    },
    '/v1/me': {
      get: {
        summary: 'The caller’s key: id, name, roles, and `actor` as written in requestedBy, createdBy and approvals (the console shows actions by role)',
        responses: { '200': ok('{ id, name, roles, actor }', { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, roles: { type: 'array', items: { enum: ROLES } }, actor: { type: 'string' } } }), ...errors(401) },
      },
    },
    '/v1/catalog': {
      get: { summary: 'The execution-model contract: features and actions', security: [], responses: { '200': ok('catalog') } },
    },
    '/v1/models': {
      post: {
        summary: 'Create a model',
        ...roles('quant', 'admin'),
        parameters: [idempotencyKey],
        requestBody: json({
          type: 'object',
          required: ['name', 'owner', 'assetClass', 'tier'],
          properties: { name: { type: 'string', pattern: MODEL_NAME_PATTERN.source }, description: { type: 'string' }, owner: { type: 'string' }, assetClass: { type: 'string' }, tier: { enum: MODEL_TIERS } },
        }),
        responses: { '201': ok('created', { $ref: '#/components/schemas/Model' }), ...errors(400, 401, 403, 409) },
      },
      get: { summary: 'List models', parameters: pageParams, responses: { '200': ok('a page of models'), ...errors(401) } },
    },
    '/v1/models/{name}': {
      get: { summary: 'A model with its aliases', parameters: [nameParam], responses: { '200': ok('model'), ...errors(401, 404) } },
    },
    '/v1/models/{name}/versions': {
      post: {
        summary: 'Register a version: upload the ONNX artifact and its manifest',
        ...roles('quant', 'admin'),
        parameters: [nameParam, idempotencyKey],
        requestBody: {
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['artifact', 'manifest'],
                properties: {
                  artifact: { type: 'string', format: 'binary', description: 'the ONNX model' },
                  manifest: { type: 'string', description: 'JSON: { features: [...], actions: [...], training?: { dataset, codeCommit, params, metrics }, tags? }' },
                },
              },
            },
          },
        },
        responses: {
          '201': ok('registered', { $ref: '#/components/schemas/Version' }),
          '200': ok('these bytes were registered for this model before: the existing version', { $ref: '#/components/schemas/Version' }),
          ...errors(400, 401, 403, 404, 413, 422),
        },
      },
      get: { summary: 'List versions', parameters: [nameParam, ...pageParams], responses: { '200': ok('a page of versions'), ...errors(401, 404) } },
    },
    '/v1/models/{name}/versions/{version}': {
      get: { summary: 'A version', parameters: [nameParam, versionParam], responses: { '200': ok('version', { $ref: '#/components/schemas/Version' }), ...errors(401, 404) } },
    },
    '/v1/models/{name}/versions/{version}/artifact': {
      get: {
        summary: 'The artifact bytes, verified against sha256',
        parameters: [nameParam, versionParam],
        responses: { '200': { description: 'ONNX bytes', content: { 'application/octet-stream': {} } }, ...errors(401, 404, 500) },
      },
    },
    '/v1/models/{name}/aliases': {
      get: { summary: 'Aliases of a model', parameters: [nameParam], responses: { '200': ok('aliases'), ...errors(401, 404) } },
    },
    '/v1/models/{name}/aliases/{alias}': {
      put: {
        summary: 'Point an alias at a version (`champion` is moved only by a completed rollout)',
        ...roles('quant', 'admin'),
        parameters: [nameParam, { name: 'alias', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: json({ type: 'object', required: ['version'], properties: { version: { type: 'integer', minimum: 1 } } }),
        responses: { '200': ok('alias'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/v1/models/{name}/versions/{version}/validations': {
      post: {
        summary: 'Queue a validation run (the model tier’s default suite unless `suite` names another)',
        ...roles('quant', 'admin'),
        parameters: [nameParam, versionParam, idempotencyKey],
        requestBody: json({
          type: 'object',
          properties: {
            suite: { type: 'string', description: 'a shipped suite: default-low | default-medium | default-high | smoke | desk-day' },
            suiteDefinition: { type: 'object', description: 'a whole suite document (docs/validation.md), instead of a name' },
          },
        }),
        responses: { '202': ok('{ id, phase, progress, suite }'), ...errors(400, 401, 403, 404) },
      },
    },
    '/v1/validations/{id}': {
      get: {
        summary: 'A validation run: phase, progress {done, total}, ETA, each gate’s value, interval, condition and message, summary report',
        parameters: [idParam],
        responses: { '200': ok('run'), ...errors(401, 404) },
      },
    },
    '/v1/validations/{id}/evidence': {
      get: { summary: 'The full evidence (every episode, suite, gates), verified against its sha256', parameters: [idParam], responses: { '200': ok('evidence JSON'), ...errors(401, 404, 500) } },
    },
    '/v1/validations/{id}/report': {
      get: { summary: 'The evidence summary with charts (HTML)', parameters: [idParam], responses: { '200': { description: 'HTML' }, ...errors(401, 404) } },
    },
    '/v1/datasets': {
      post: {
        summary: 'Register a LOBSTER dataset: multipart (file, name) or JSON { name, uri: "sha256:<hex>" } for stored bytes',
        ...roles('quant', 'admin'),
        parameters: [idempotencyKey],
        responses: { '201': ok('dataset with sha256, instrument, date, levels and the data-quality report'), ...errors(400, 401, 403, 409, 413, 422, 500) },
      },
      get: { summary: 'List datasets', responses: { '200': ok('datasets'), ...errors(401) } },
    },
    '/v1/datasets/{id}': {
      get: { summary: 'A dataset by id or name', parameters: [idParam], responses: { '200': ok('dataset'), ...errors(401, 404) } },
    },
    '/v1/promotions': {
      post: {
        summary: 'Request a promotion of a version to a deployment under a rollout plan (docs/promotion.md)',
        ...roles('quant', 'admin'),
        parameters: [idempotencyKey],
        requestBody: json({
          type: 'object',
          required: ['model', 'version', 'deployment'],
          properties: {
            model: { type: 'string', pattern: MODEL_NAME_PATTERN.source },
            version: { type: 'integer', minimum: 1 },
            deployment: { type: 'string', pattern: DEPLOYMENT_NAME_PATTERN.source },
            plan: { type: 'object', description: '{ steps: [{setWeight}|{pause:{durationSeconds?}}|{analysis:{templates}}], caps: {maxShareOfParentOrders, maxNotionalPerOrder, maxOrdersPerMinute, allowedInstruments} }; the default plan when absent' },
            override: { type: 'object', properties: { reason: { type: 'string' } }, description: 'admin only: promote a version outside the promotable statuses' },
          },
        }),
        responses: { '201': ok('{ id, phase: PendingApproval, model, version, sha256, planHash, requiredApprovals, approvals, … }'), ...errors(400, 401, 403, 404, 409) },
      },
      get: {
        summary: 'Promotions, oldest first; phase=PendingApproval is the risk inbox',
        parameters: [{ name: 'phase', in: 'query', schema: { enum: [...PROMOTION_PHASES, 'Expired'] } }, ...pageParams],
        responses: { '200': ok('a page of promotions'), ...errors(400, 401) },
      },
    },
    '/v1/promotions/{id}': {
      get: { summary: 'A promotion with its votes (each with expiresAt/expired)', parameters: [idParam], responses: { '200': ok('promotion'), ...errors(401, 404) } },
    },
    '/v1/promotions/{id}/approvals': {
      post: {
        summary: 'Vote (four-eyes): never the requester or the version’s author, once per approver; binds sha256 and planHash',
        ...roles('risk'),
        parameters: [idParam, idempotencyKey],
        requestBody: json({
          type: 'object',
          required: ['decision'],
          properties: {
            decision: { enum: ['approve', 'reject'] },
            comment: { type: 'string', description: 'required when rejecting' },
            sha256: { type: 'string', description: 'when sent, must equal the promotion’s' },
            planHash: { type: 'string', description: 'when sent, must equal the promotion’s' },
          },
        }),
        responses: { '201': ok('the promotion after the vote'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/v1/deployments/{name}/routing': {
      get: {
        summary: 'The routing table execution engines follow; ETag = revision, 304 on a matching If-None-Match',
        parameters: [deploymentParam, { name: 'If-None-Match', in: 'header', schema: { type: 'string' } }],
        responses: { '200': ok('{ deployment, stable, canary, canaryWeight, revision, halted, kill, updatedAt }'), '304': { description: 'not modified' }, ...errors(401, 404) },
      },
    },
    '/v1/deployments/{name}/kill': {
      post: {
        summary: 'Kill switch: drop the canary (all flow to stable) or halt, at once',
        ...roles('risk', 'admin'),
        parameters: [deploymentParam, idempotencyKey],
        requestBody: json({ type: 'object', required: ['reason', 'mode'], properties: { reason: { type: 'string' }, mode: { enum: ['stable', 'halt'] } } }),
        responses: { '200': ok('the routing table after the kill'), ...errors(400, 401, 403, 404) },
      },
    },
    '/v1/deployments/{name}/resume': {
      post: {
        summary: 'Lift a kill or halt (the canary is not restored)',
        ...roles('risk', 'admin'),
        parameters: [deploymentParam, idempotencyKey],
        requestBody: json({ type: 'object', properties: { reason: { type: 'string' } } }),
        responses: { '200': ok('the routing table after the resume'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/v1/rollouts': {
      get: {
        summary: 'Rollouts (one per Approved promotion, created by the rollout controller), oldest first',
        parameters: [{ name: 'deployment', in: 'query', schema: { type: 'string', pattern: DEPLOYMENT_NAME_PATTERN.source } }, ...pageParams],
        responses: { '200': ok('a page of rollouts'), ...errors(400, 401) },
      },
    },
    '/v1/rollouts/{id}': {
      get: { summary: 'A rollout: phase, step, canaryWeight, analysis, measurements (every live measurement per metric), abort, pendingCommand (docs/rollout-controller.md)', parameters: [idParam], responses: { '200': ok('rollout'), ...errors(401, 404) } },
    },
    '/v1/rollouts/{id}/pause': {
      post: {
        summary: 'Pause the rollout (applied by the controller’s next tick)',
        ...roles('quant', 'risk', 'admin'),
        parameters: [idParam, idempotencyKey],
        requestBody: json({ type: 'object', properties: { reason: { type: 'string' } } }),
        responses: { '200': ok('the rollout with its pendingCommand'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/v1/rollouts/{id}/resume': {
      post: {
        summary: 'Resume a paused, inconclusive or degraded rollout (applied by the controller’s next tick)',
        ...roles('risk', 'admin'),
        parameters: [idParam, idempotencyKey],
        requestBody: json({ type: 'object', properties: { reason: { type: 'string' } } }),
        responses: { '200': ok('the rollout with its pendingCommand'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/v1/rollouts/{id}/abort': {
      post: {
        summary: 'Abort the rollout: all flow back to stable (applied by the controller’s next tick)',
        ...roles('risk', 'admin'),
        parameters: [idParam, idempotencyKey],
        requestBody: json({ type: 'object', properties: { reason: { type: 'string' } } }),
        responses: { '200': ok('the rollout with its pendingCommand'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/v1/rollouts/{id}/promote-full': {
      post: {
        summary: 'Skip the remaining steps: 100% to the candidate, which becomes stable and champion (applied by the controller’s next tick)',
        ...roles('risk', 'admin'),
        parameters: [idParam, idempotencyKey],
        requestBody: json({ type: 'object', properties: { reason: { type: 'string' } } }),
        responses: { '200': ok('the rollout with its pendingCommand'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/v1/models/{name}/versions/{version}/report': {
      get: {
        summary: 'The lifecycle report of a version: identity, lineage, validation, shadow, approvals, rollouts with every measurement, incidents, audit events and the chain’s verification (docs/reports.md)',
        ...roles('quant', 'risk', 'admin', 'auditor'),
        parameters: [
          { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'version', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } },
          { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'html', 'pdf'] }, description: 'or by Accept: text/html or application/pdf (A4, rendered from the HTML by headless Chromium)' },
        ],
        responses: {
          '200': {
            description: 'the report (JSON, HTML or PDF)',
            content: { 'application/json': { schema: { type: 'object' } }, 'text/html': { schema: { type: 'string' } }, 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
          },
          ...errors(400, 401, 403, 404, 503),
        },
      },
    },
    '/v1/reports/evidence-pack': {
      get: {
        summary: 'The algorithm-governance evidence pack for a period: per deployment its algorithms, tests before deployment, authorisations, limits, kill-switch activations and rollbacks, lifecycle reports and audit events; one zip with MANIFEST.sha256 (docs/reports.md)',
        ...roles('auditor', 'risk', 'admin'),
        parameters: [
          { name: 'from', in: 'query', required: true, schema: { type: 'string' }, description: 'inclusive: YYYY-MM-DD (UTC) or an ISO-8601 instant' },
          { name: 'to', in: 'query', required: true, schema: { type: 'string' }, description: 'exclusive' },
        ],
        responses: { '200': ok('application/zip'), ...errors(400, 401, 403) },
      },
    },
    '/v1/reports/inventory': {
      get: {
        summary: 'The model inventory: every version in production, owner, tier, last and next validation, open findings (docs/reports.md)',
        ...roles('auditor', 'risk', 'admin'),
        parameters: [{ name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'csv', 'html'] }, description: 'or by Accept: text/csv, text/html' }],
        responses: { '200': ok('the inventory (JSON, CSV or HTML)'), ...errors(400, 401, 403) },
      },
    },
    '/v1/shadows': {
      post: {
        summary: 'Start a shadow session: candidate versions scored beside a deployment’s live flow (docs/shadow.md)',
        ...roles('quant', 'admin'),
        parameters: [idempotencyKey],
        requestBody: json({
          type: 'object',
          required: ['model', 'candidates', 'deployment'],
          properties: {
            model: { type: 'string', pattern: MODEL_NAME_PATTERN.source },
            candidates: { type: 'array', minItems: 1, maxItems: 8, uniqueItems: true, items: { type: 'integer', minimum: 1 }, description: 'version numbers of the model' },
            deployment: { type: 'string', pattern: DEPLOYMENT_NAME_PATTERN.source },
            policy: {
              type: 'object',
              description: 'overrides of the default policy: orders, minOrders, maxIsDeltaBps, maxInvalidOutputRate, maxLatencyP99Ms, maxSkewRate, featureTolerance, actionTolerance',
            },
            instruments: { type: 'array', items: { type: 'string' }, description: 'score only these instruments (default: all)' },
          },
        }),
        responses: {
          '201': { ...ok('{ id, model, deployment, phase: Running, policy, candidates: [{ model, version, sha256, metrics, verdict, gates }], live, findings, evidence, … }'), headers: { Location: { schema: { type: 'string' } } } },
          ...errors(400, 401, 403, 404, 409),
        },
      },
      get: {
        summary: 'Shadow sessions, oldest first (finding counts without examples)',
        parameters: [
          { name: 'model', in: 'query', schema: { type: 'string' } },
          { name: 'phase', in: 'query', schema: { enum: SHADOW_PHASES } },
          ...pageParams,
        ],
        responses: { '200': ok('a page of shadow sessions'), ...errors(400, 401) },
      },
    },
    '/v1/shadows/{id}': {
      get: {
        summary: 'A shadow session: phase, per-candidate metrics against the live model, verdicts and gates, findings, evidence',
        parameters: [idParam],
        responses: { '200': ok('shadow session'), ...errors(401, 404) },
      },
    },
    '/v1/shadows/{id}/stop': {
      post: {
        summary: 'Ask the shadow runner to stop a Running session (it ends it as Stopped)',
        ...roles('quant', 'admin'),
        parameters: [idParam, idempotencyKey],
        responses: { '202': ok('the session with stopRequestedBy'), ...errors(401, 403, 404, 409) },
      },
    },
    '/v1/audit': {
      get: {
        summary: 'Audit events in chain order; format=jsonl streams the whole chain',
        ...roles('auditor', 'risk', 'admin'),
        parameters: [
          { name: 'subject', in: 'query', schema: { type: 'string' } },
          { name: 'format', in: 'query', schema: { enum: ['json', 'jsonl'] } },
          ...pageParams,
        ],
        responses: { '200': ok('a page of events'), ...errors(401, 403) },
      },
    },
    '/v1/audit/verify': {
      get: { summary: 'Recompute the hash chain', ...roles('auditor', 'risk', 'admin'), responses: { '200': ok('{ ok, events } or { ok: false, brokenAt, … }'), ...errors(401, 403) } },
    },
    '/healthz': { get: { summary: 'Process up', security: [], responses: { '200': ok('ok') } } },
    '/readyz': { get: { summary: 'Database and artifact store reachable', security: [], responses: { '200': ok('ready'), '503': ok('not ready') } } },
    '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { '200': { description: 'text exposition format' } } } },
    '/openapi.json': { get: { summary: 'This document', security: [], responses: { '200': ok('OpenAPI 3.1') } } },
    '/docs': { get: { summary: 'Interactive API documentation', security: [], responses: { '200': { description: 'HTML' } } } },
    '/console': { get: { summary: 'The web console (docs/console.md); redirects to /console/, whose static files are served without a key', security: [], responses: { '301': { description: 'to /console/' } } } },
  },
} as const;
