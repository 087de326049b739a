// The API key lives in sessionStorage: gone when the tab closes, never in a cookie (so no CSRF surface).
const KEY = 'airlock.apiKey';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  set: (key) => sessionStorage.setItem(KEY, key),
  clear: () => sessionStorage.removeItem(KEY),
  /** The signed-in key's identity ({ id, name, roles, actor }), fetched from /v1/me at sign-in. */
  me: null,
  /** actor (`key:<id>`) → key name, from /v1/actors at sign-in: the record names keys, people read names. */
  names: new Map(),
};

/**
 * An actor as a person reads it: `ana (quant lead) · key:4ee4a187` (the short id tells apart keys with the same
 * name), `… (you)` for the signed-in key; the raw string for the platform (`system…`) or an unknown key.
 */
export function who(actor) {
  if (!actor) return '—';
  const name = session.names.get(actor);
  const label = name ? `${name} · ${actor.slice(0, 12)}` : actor;
  return actor === session.me?.actor ? `${label} (you)` : label;
}

/** What each button needs, mirroring the API's @Roles (the API enforces; this only hides what would be refused). */
const ACTIONS = {
  vote: ['risk'],
  pause: ['quant', 'risk', 'admin'],
  resume: ['risk', 'admin'],
  abort: ['risk', 'admin'],
  kill: ['risk', 'admin'],
  audit: ['auditor', 'risk', 'admin'],
  inventory: ['auditor', 'risk', 'admin'],
};

export const can = (action) => Boolean(session.me?.roles.some((role) => ACTIONS[action].includes(role)));
