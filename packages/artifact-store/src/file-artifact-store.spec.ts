import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { describeArtifactStoreContract, testBytes, type ArtifactStoreHarness } from './artifact-store.contract.js';
import { FileArtifactStore } from './file-artifact-store.adapter.js';

const roots: string[] = [];

async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'airlock-artifacts-'));
  roots.push(root);
  return root;
}

/** Store-relative paths of every file under root. */
async function filesUnder(root: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(root, { recursive: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const name of names) if ((await stat(join(root, name))).isFile()) files.push(relative(root, join(root, name)).split(sep).join('/'));
  return files.sort();
}

async function makeHarness(): Promise<ArtifactStoreHarness> {
  // A subfolder that does not exist yet: the store creates what it needs.
  const root = join(await tempRoot(), 'artifacts');
  const store = new FileArtifactStore(root);
  const write = async (key: string, bytes: Uint8Array) => {
    const path = store.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    await rm(path, { force: true }); // stored files are read-only: replace rather than overwrite
    await writeFile(path, bytes);
  };
  return { store, tamper: write, writeRaw: write, rawKeys: () => filesUnder(root), dispose: () => store.close() };
}

afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

describeArtifactStoreContract('FileArtifactStore', makeHarness);

describe('FileArtifactStore specifics', () => {
  it('stores artifacts read-only in sharded folders', async () => {
    const { store } = await makeHarness();
    const stored = await store.put(testBytes(100));
    const { mode } = await stat((store as FileArtifactStore).pathOf(stored.key));
    expect(mode & 0o222).toBe(0);
    expect(stored.key).toMatch(/^sha256\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
  });

  it('resolves a relative root against the working directory, once', async () => {
    const store = new FileArtifactStore('relative/artifacts');
    expect(store.rootDir).toBe(join(process.cwd(), 'relative/artifacts'));
  });

  it('ping creates a missing root, and fails when the root cannot be a directory', async () => {
    const root = join(await tempRoot(), 'a', 'b');
    await new FileArtifactStore(root).ping();
    expect((await stat(root)).isDirectory()).toBe(true);
    const file = join(await tempRoot(), 'plain-file');
    await writeFile(file, 'x');
    await expect(new FileArtifactStore(join(file, 'sub')).ping()).rejects.toThrow();
  });
});
