// Runs once before the test suite: the integration tests need the machine's PostgreSQL (and later NATS) up, and
// the report PDF's Chromium (also the web console's browser tests) and poppler-utils installed.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function globalSetup() {
  execFileSync('bash', [fileURLToPath(new URL('../scripts/ensure-services.sh', import.meta.url))], { stdio: 'inherit' });
  // The report PDF tests render with Debian's Chromium and check the pages with poppler-utils.
  execFileSync('bash', [fileURLToPath(new URL('../scripts/ensure-chromium.sh', import.meta.url))], { stdio: 'inherit' });
  // Some tests spawn the compiled apps (worker processes): bring dist/ up to date (incremental, seconds).
  execFileSync(process.execPath, [fileURLToPath(new URL('../node_modules/typescript-7/bin/tsc', import.meta.url)), '-b', 'tsconfig.build.json'], {
    stdio: 'inherit',
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
}
