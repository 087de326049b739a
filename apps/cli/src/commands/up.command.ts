import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadApiConfig, startApi } from '@airlock/api';
import { randomMlpPolicy } from '@airlock/onnx';
import { startShadowRunner, loadShadowRunnerConfig } from '@airlock/shadow-runner';
import { startWorker, loadWorkerConfig } from '@airlock/worker';
import type { Command } from 'commander';

const EXAMPLE_MODEL = 'exec-example';
const EXAMPLE_FEATURES = ['spread_bps', 'imbalance_l1', 'realized_vol_5m_bps', 'time_remaining_frac', 'qty_remaining_frac', 'schedule_deviation', 'side'];
const EXAMPLE_ACTIONS = ['participation', 'aggression'];

/**
 * The admin key of a local install: taken from AIRLOCK_BOOTSTRAP_ADMIN_KEY, else made once and kept in
 * <data dir>/admin-key (mode 600) so the next start finds the same one.
 */
function localAdminKey(dataDir: string): string {
  if (process.env.AIRLOCK_BOOTSTRAP_ADMIN_KEY) return process.env.AIRLOCK_BOOTSTRAP_ADMIN_KEY;
  const file = join(dataDir, 'admin-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = `ak_${randomBytes(32).toString('base64url')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** Registers the example model through the HTTP API (as a client would) unless it exists already. */
async function ensureExampleModel(url: string, key: string): Promise<string> {
  const headers = { authorization: `Bearer ${key}` };
  const existing = await fetch(`${url}/v1/models/${EXAMPLE_MODEL}/versions`, { headers });
  if (existing.ok && ((await existing.json()) as { items: unknown[] }).items.length > 0) return 'already registered';
  if (existing.status === 404) {
    const created = await fetch(`${url}/v1/models`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ name: EXAMPLE_MODEL, description: 'Example execution policy (seeded random MLP)', owner: 'airlock-examples', assetClass: 'equities', tier: 'low' }),
    });
    if (!created.ok) throw new Error(`creating the example model failed: ${created.status} ${await created.text()}`);
  }
  const { bytes } = randomMlpPolicy({ seed: 7, features: EXAMPLE_FEATURES, actions: EXAMPLE_ACTIONS, hidden: [16] });
  const form = new FormData();
  form.append('manifest', JSON.stringify({ features: EXAMPLE_FEATURES, actions: EXAMPLE_ACTIONS, training: { dataset: 'none (seeded random weights)', params: { seed: 7, hidden: [16] } } }));
  form.append('artifact', new Blob([bytes]), 'example.onnx');
  const registered = await fetch(`${url}/v1/models/${EXAMPLE_MODEL}/versions`, { method: 'POST', headers, body: form });
  if (!registered.ok) throw new Error(`registering the example version failed: ${registered.status} ${await registered.text()}`);
  const version = (await registered.json()) as { version: number; sha256: string };
  return `version ${version.version}, sha256 ${version.sha256.slice(0, 12)}…`;
}

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('Run the API, the worker and the shadow runner in one process (embedded database and file store unless configured)')
    .option('--no-example', 'do not register the example model')
    .action(async (options: { example: boolean }) => {
      const apiConfig = loadApiConfig(process.env);
      const adminKey = localAdminKey(apiConfig.dataDir);
      const api = await startApi({ ...apiConfig, bootstrapAdminKey: adminKey });
      const worker = await startWorker(loadWorkerConfig(process.env), { db: api.db, store: api.store, boss: api.boss });
      const shadow = await startShadowRunner(loadShadowRunnerConfig(process.env), { db: api.db, store: api.store });
      const example = options.example ? await ensureExampleModel(api.url, adminKey) : 'skipped';
      const keyFile = process.env.AIRLOCK_BOOTSTRAP_ADMIN_KEY ? '(from AIRLOCK_BOOTSTRAP_ADMIN_KEY)' : join(apiConfig.dataDir, 'admin-key');
      console.log(`
Airlock is running (${apiConfig.databaseUrl ? 'PostgreSQL' : `embedded PostgreSQL in ${apiConfig.dataDir}/db`}; artifacts in ${apiConfig.artifactStoreUri})
  API            ${api.url}        docs: ${api.url}/docs
  worker         ${worker.url}/healthz
  shadow runner  ${shadow.url}/healthz
  admin key      ${keyFile}
  example model  ${EXAMPLE_MODEL}: ${example}

Try:
  curl -s -H "Authorization: Bearer $(cat ${keyFile})" ${api.url}/v1/models/${EXAMPLE_MODEL}/versions/1
  curl -s ${api.url}/v1/catalog
Stop with Ctrl-C.`);
      const shutdown = async () => {
        await shadow.close();
        await worker.close();
        await api.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown());
      process.once('SIGTERM', () => void shutdown());
      await new Promise(() => undefined); // serve until a signal
    });
}
