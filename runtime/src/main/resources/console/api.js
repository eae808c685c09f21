// The console's one way to the HTTP API: the session cookie goes with every call (credentials
// 'same-origin'), every call that changes something carries the CSRF token the session gave, and an
// API error ({error, detail, field}) becomes an ApiError the pages show at the field it names.

const TOKEN = 'mqi.csrfToken';

export class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.error)) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error;
    this.field = body && body.field;
  }
}

/** The session as the API describes it, or null without a live one (then the page signs in). */
export async function currentSession() {
  const response = await fetch('/api/v1/session', { credentials: 'same-origin' });
  if (response.status === 401) {
    sessionStorage.removeItem(TOKEN);
    return null;
  }
  const session = await read(response);
  // A reload loses what the page held in memory: the session hands its CSRF token out again.
  sessionStorage.setItem(TOKEN, session.csrfToken);
  return session;
}

/** Exchanges a key for a session cookie; the key itself is kept nowhere. */
export async function signIn(key) {
  const session = await call('POST', '/api/v1/session', { key });
  sessionStorage.setItem(TOKEN, session.csrfToken);
  return session;
}

export async function signOut() {
  try {
    await call('DELETE', '/api/v1/session');
  } finally {
    sessionStorage.removeItem(TOKEN);
  }
}

/** One API call; answers the parsed JSON body (null for 204), throws ApiError otherwise. */
export async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    const token = sessionStorage.getItem(TOKEN);
    if (token) {
      headers['X-CSRF-Token'] = token;
    }
  }
  const init = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return read(await fetch(path, init));
}

export const get = (path) => call('GET', path);

async function read(response) {
  const text = await response.text();
  let body = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch (e) {
      body = { error: 'not_json', detail: text.slice(0, 200) };
    }
  }
  if (!response.ok) {
    throw new ApiError(response.status, body);
  }
  return body;
}

/** A query string of the parameters that have a value. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') {
      q.set(name, value);
    }
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Clears the messages a form shows (its fields' and its own). */
export function clearErrors(form) {
  for (const message of form.querySelectorAll('.field-error, .form-error')) {
    message.textContent = '';
  }
  for (const input of form.querySelectorAll('[aria-invalid]')) {
    input.removeAttribute('aria-invalid');
  }
}

/**
 * Shows an error in a form: at the field the API named (`settings.port`, or `topics[0]` at
 * `topics`), else as the form's own message. The field gets focus so a keyboard user lands on it.
 */
export function showError(form, error) {
  clearErrors(form);
  const field = error.field && (form.elements.namedItem(error.field)
    || form.elements.namedItem(error.field.replace(/\[\d+\]$/, ''))
    || form.elements.namedItem('settings.' + error.field.replace(/\[\d+\]$/, '')));
  if (field && field.id) {
    const message = form.querySelector(`[data-error-for="${field.id}"]`);
    if (message) {
      field.setAttribute('aria-invalid', 'true');
      message.textContent = error.message;
      field.focus();
      return;
    }
  }
  const own = form.querySelector('.form-error');
  if (own) {
    own.textContent = error.message;
  }
}

/** The organization's integrations (the first 200), for the pages' pickers. */
export async function integrations() {
  return (await get('/api/v1/integrations?limit=200')).items;
}
