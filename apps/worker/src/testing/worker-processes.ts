import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The compiled worker entry (tests spawn real worker processes; `npm ci` builds it, as does `npm run build`). */
export const WORKER_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly name: string;
  /** Lines the worker logged (JSON), for assertions and for diagnosing a failed test. */
  readonly lines: string[];
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `node apps/worker/dist/main.js` with the given environment; resolves once it has started. */
export async function spawnWorker(name: string, env: Record<string, string>): Promise<WorkerProcess> {
  if (!existsSync(WORKER_MAIN)) throw new Error(`${WORKER_MAIN} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', WORKER_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = await new Promise<boolean>((resolve) => {
    const deadline = Date.now() + 30_000;
    const check = () => {
      if (lines.some((l) => l.includes('"worker started"'))) resolve(true);
      else if (child.exitCode !== null || Date.now() > deadline) resolve(false);
      else setTimeout(check, 100);
    };
    check();
  });
  if (!started) {
    child.kill('SIGKILL');
    throw new Error(`worker ${name} did not start:\n${lines.join('\n')}`);
  }
  return { child, name, lines, exited, kill: (signal) => child.kill(signal) };
}
