import { api } from '../api.js';
import { focusHeading, h, replace } from '../dom.js';
import { clearError, showError } from '../notify.js';
import { session } from '../session.js';

/** Sign-in with an API key: checked against /v1/me before it is kept (in sessionStorage). */
export function signInView(main, { onSignedIn }) {
  const input = h('input', { id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false', 'aria-describedby': 'api-key-help' });
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'signin', 'aria-labelledby': 'signin-title', novalidate: true },
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('p', { id: 'api-key-help', class: 'muted' }, 'The key an administrator created for you (ak_…). It is kept only for this browser tab.'),
    h('div', { class: 'actions' }, button),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) {
      input.setAttribute('aria-invalid', 'true');
      showError({ code: 'VALIDATION_FAILED', message: 'enter an API key' });
      input.focus();
      return;
    }
    button.disabled = true;
    try {
      const me = await api('/v1/me', { key });
      session.set(key);
      clearError();
      await onSignedIn(me);
    } catch (error) {
      input.setAttribute('aria-invalid', 'true');
      showError(error);
      input.focus();
      input.select();
    } finally {
      button.disabled = false;
    }
  });
  replace(main, h('h1', { id: 'signin-title' }, 'Sign in to Airlock'), form);
  focusHeading(main);
  input.focus();
}
