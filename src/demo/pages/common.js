// Shared helpers of the demo pages: JSON calls to the API (same origin, cookie auth) and small DOM helpers.
import { safeReturnTo } from './site-rules.js';

/** Calls the API; resolves to {status, body, retryAfter} and never throws on HTTP errors. */
export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/api/v1${path}`, init);
  } catch {
    return { status: 0, body: { error: 'network', message: 'The server did not answer.' } };
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { error: 'bad_response', message: text.slice(0, 200) };
  }
  const retryAfter = Number(response.headers.get('retry-after')) || null;
  return { status: response.status, body: parsed, retryAfter };
}

/** A local path to come back to after sign-in: the server's own rule; anything refused becomes the fallback. */
export function safeLocalPath(value, fallback) {
  if (typeof value !== 'string' || value === '') return fallback;
  const safe = safeReturnTo(value);
  return safe === '/' && value !== '/' ? fallback : safe;
}

/**
 * A page restored from the back-forward cache shows what it showed before; `hide` clears the
 * user's data at once and the session is asked again, leaving for the login page when it is gone.
 */
export function recheckSessionOnRestore(hide, returnTo) {
  window.addEventListener('pageshow', async (event) => {
    if (!event.persisted) return;
    hide();
    const me = await api('GET', '/auth/me');
    if (me.status === 401) location.replace(`/login?returnTo=${encodeURIComponent(returnTo)}`);
    else location.reload();
  });
}

/** "in 3 minutes" / "in 40 seconds" for a Retry-After value. */
export function waitText(seconds) {
  if (seconds >= 90) return `in ${Math.ceil(seconds / 60)} minutes`;
  return `in ${Math.max(1, Math.round(seconds))} seconds`;
}

/** Creates an element with text (never HTML) and attributes. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'class') node.className = value;
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Shows a message in a live region: kind is "error", "success" or "info". */
export function showMessage(region, kind, text) {
  region.hidden = !text;
  region.className = `notice notice-${kind}`;
  region.textContent = text ?? '';
}
