import { h, replace } from './dom.js';

const alerts = () => document.getElementById('alerts');
const status = () => document.getElementById('status');

/** Shows an API problem (code, detail, each invalid field) in the assertive alert region. */
export function showError(error) {
  if (error?.name === 'AbortError') return;
  const lines = [h('p', {}, h('strong', {}, error.code ? `${error.code}: ` : 'Error: '), error.message)];
  for (const e of error.errors ?? []) lines.push(h('p', {}, `${e.field}: ${e.message}`));
  replace(alerts(), lines);
}

export const clearError = () => replace(alerts());

/** Announces a routine change (phase, weight) to screen readers, politely. */
export function announce(message) {
  replace(status(), message);
}
