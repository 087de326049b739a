import { session } from './session.js';

/** An RFC 9457 problem from the API (or a network failure, as code NETWORK). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || 'UNKNOWN';
    this.title = problem.title || '';
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

/** Calls the API with the session's key: JSON in, JSON out; any non-2xx throws an ApiError. */
export async function api(path, { method = 'GET', body, key = session.key(), signal } = {}) {
  const headers = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, { code: 'NETWORK', detail: `the API could not be reached (${error.message})` });
  }
  const text = await response.text();
  const parsed = text ? safeJson(text) : null;
  if (!response.ok) throw new ApiError(response.status, parsed ?? { detail: text || response.statusText });
  return parsed;
}

const safeJson = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

/** Every item of a paged list (`{ items, next }`), following `after` cursors up to `max` items. */
export async function all(path, { max = 1000, signal } = {}) {
  const items = [];
  let after = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api(`${path}${sep}limit=500${after ? `&after=${encodeURIComponent(after)}` : ''}`, { signal });
    items.push(...page.items);
    after = page.next ?? null;
  } while (after && items.length < max);
  return items;
}

/**
 * Opens an HTML document the API renders (a lifecycle report, a validation's evidence summary) in a new tab. A plain
 * link cannot carry the key, so the page is fetched with it and shown from a blob: URL. The tab is opened before
 * the fetch, inside the click, so that pop-up blockers allow it.
 */
export async function openHtml(path) {
  const tab = window.open('', '_blank');
  const response = await fetch(path, { headers: { accept: 'text/html', authorization: `Bearer ${session.key()}` } });
  if (!response.ok) {
    tab?.close();
    const text = await response.text();
    throw new ApiError(response.status, safeJson(text) ?? { detail: text || response.statusText });
  }
  const url = URL.createObjectURL(new Blob([await response.text()], { type: 'text/html' }));
  if (tab) tab.location.href = url;
  else window.location.href = url;
}
