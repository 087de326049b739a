// The console's shell: sign-in state, hash routing (#/inventory, #/models/:name/versions/:v, #/approvals,
// #/promotions/:id, #/rollouts, #/rollouts/:id), one view at a time. Each view gets an AbortSignal that fires
// when the user navigates away, which stops its requests and its polling.
import { api } from './api.js';
import { replace } from './dom.js';
import { clearError, showError } from './notify.js';
import { session } from './session.js';
import { approvalsView } from './views/approvals.js';
import { inventoryView } from './views/inventory.js';
import { promotionView } from './views/promotion.js';
import { rolloutView } from './views/rollout.js';
import { rolloutsView } from './views/rollouts.js';
import { signInView } from './views/signin.js';
import { versionView } from './views/version.js';

const ROUTES = [
  [/^#\/inventory$/, inventoryView],
  [/^#\/models\/([a-z0-9-]+)\/versions\/(\d+)$/, versionView],
  [/^#\/approvals$/, approvalsView],
  [/^#\/promotions\/([\w-]+)$/, promotionView],
  [/^#\/rollouts$/, rolloutsView],
  [/^#\/rollouts\/([\w-]+)$/, rolloutView],
];

const main = () => document.getElementById('main');
let current = null;

const home = () => (session.me?.roles.includes('risk') ? '#/approvals' : '#/inventory');

async function render() {
  current?.abort();
  current = new AbortController();
  const { signal } = current;
  clearError();
  showChrome();
  if (!session.me) {
    signInView(main(), { onSignedIn });
    return;
  }
  const hash = location.hash || home();
  const match = ROUTES.map(([re, view]) => [re.exec(hash), view]).find(([m]) => m);
  if (!match) {
    location.replace(home());
    return;
  }
  const [params, view] = match;
  for (const link of document.querySelectorAll('#main-nav a')) {
    const active = hash.startsWith(link.getAttribute('href'));
    if (active) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  replace(main());
  try {
    await view(main(), params.slice(1).map(decodeURIComponent), { signal });
  } catch (error) {
    if (!signal.aborted) showError(error);
  }
}

function showChrome() {
  const signedIn = Boolean(session.me);
  document.getElementById('main-nav').hidden = !signedIn;
  document.getElementById('who').hidden = !signedIn;
  if (signedIn) document.getElementById('who-name').textContent = `Signed in as ${session.me.name} (${session.me.roles.join(', ')})`;
}

/** Names for the actors the pages show (a failure only leaves key ids on screen). */
async function loadNames() {
  try {
    const { items } = await api('/v1/actors');
    session.names = new Map(items.map((a) => [a.actor, a.name]));
  } catch {
    session.names = new Map();
  }
}

async function onSignedIn(me) {
  session.me = me;
  await loadNames();
  if (location.hash && location.hash !== '#/signin') await render();
  else location.hash = home();
}

async function start() {
  document.getElementById('sign-out').addEventListener('click', () => {
    session.clear();
    session.me = null;
    // A hash change renders by itself; on the sign-in route already, render directly.
    if (location.hash === '#/signin') void render();
    else location.hash = '#/signin';
  });
  window.addEventListener('hashchange', () => void render());
  if (session.key()) {
    try {
      session.me = await api('/v1/me');
      await loadNames();
    } catch (error) {
      // A key that no longer works (revoked) sends the user back to sign in, with the reason shown.
      session.clear();
      showError(error);
    }
  }
  await render();
}

void start();
