import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, TEST_ADMIN_KEY, type TestApi } from '../testing/api-harness.js';

// The web console's serving (static files from apps/api/console, no key needed to load them) and /v1/me, which
// the console reads at sign-in to show actions by role. The browser journeys are in console.e2e.int.spec.ts.
describe('web console serving, /v1/me and /v1/actors', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('GET /console redirects to /console/, which serves index.html without a key', async () => {
    const bare = await fetch(`${t.api.url}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/console/');
    const index = await t.call('GET', '/console/', { key: null });
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(String(index.body)).toContain('<main id="main"');
    expect(String(index.body)).toContain('src="js/app.js"');
  });

  it('serves the ES modules as JavaScript and the stylesheet as CSS', async () => {
    const app = await t.call('GET', '/console/js/app.js', { key: null });
    expect(app.status).toBe(200);
    expect(app.headers.get('content-type')).toMatch(/javascript/);
    const css = await t.call('GET', '/console/styles.css', { key: null });
    expect(css.headers.get('content-type')).toContain('text/css');
    expect((await t.call('GET', '/console/js/nothing.js', { key: null })).status).toBe(404);
  });

  it('GET /v1/me returns the key’s id, name, roles and actor; 401 without a valid key', async () => {
    const quant = await t.keyWith('quant', 'auditor');
    const me = await t.call('GET', '/v1/me', { key: quant });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: expect.any(String), name: 'test-quant-auditor', roles: ['quant', 'auditor'], actor: `key:${me.body.id}` });
    expect((await t.call('GET', '/v1/me', { key: TEST_ADMIN_KEY })).body.roles).toEqual(['admin']);
    const anonymous = await t.call('GET', '/v1/me', { key: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
    expect((await t.call('GET', '/v1/me', { key: 'ak_not-a-key' })).status).toBe(401);
  });

  it('GET /v1/actors names every key as the record writes it (any role); never a secret; 401 without a key', async () => {
    const auditor = await t.keyWith('auditor');
    const me = (await t.call('GET', '/v1/me', { key: auditor })).body;
    const actors = await t.call('GET', '/v1/actors', { key: auditor });
    expect(actors.status).toBe(200);
    expect(actors.body.items).toEqual(expect.arrayContaining([{ actor: me.actor, name: 'test-auditor', roles: ['auditor'], revoked: false }]));
    expect(actors.body.items.find((a: { roles: string[] }) => a.roles.includes('admin'))).toBeDefined();
    const text = JSON.stringify(actors.body);
    expect(text).not.toContain('ak_');
    expect(text).not.toMatch(/hash/i);
    expect((await t.call('GET', '/v1/actors', { key: null })).status).toBe(401);
  });
});
