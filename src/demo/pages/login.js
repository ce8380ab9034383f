import { api, safeLocalPath, showMessage, waitText } from './common.js';
import { reasonMessage } from './messages.js';

const params = new URLSearchParams(location.search);
const returnTo = safeLocalPath(params.get('returnTo'), '/me');
const notice = document.getElementById('notice');
const oidcSection = document.getElementById('oidc-section');
const providerList = document.getElementById('provider-list');
const passwordSection = document.getElementById('password-section');
const toggleRow = document.getElementById('fallback-toggle-row');
const toggle = document.getElementById('fallback-toggle');
const form = document.getElementById('password-form');
const formError = document.getElementById('form-error');
const submit = document.getElementById('password-submit');
/** Whether regular users may use the password form (false: administrators only). */
let passwordForEveryone = true;

function showPasswordForm(focus) {
  passwordSection.hidden = false;
  toggle.setAttribute('aria-expanded', 'true');
  toggleRow.hidden = true;
  if (focus) document.getElementById('username').focus();
}

function loginUrl(base) {
  const url = new URL(base, location.origin);
  url.searchParams.set('returnTo', returnTo);
  return url.pathname + url.search;
}

/** One button per provider; the API's list, or the single default provider of older servers. */
function showProviders(body) {
  const providers =
    Array.isArray(body.providers) && body.providers.length > 0
      ? body.providers
      : [{ id: 'default', label: body.buttonLabel, loginUrl: '/api/v1/auth/oidc/login' }];
  providerList.replaceChildren(
    ...providers.map((provider, index) => {
      const link = document.createElement('a');
      link.id = index === 0 ? 'oidc-link' : `oidc-link-${index}`;
      link.className = 'button button-primary button-block';
      link.href = loginUrl(provider.loginUrl || '/api/v1/auth/oidc/login');
      link.textContent = provider.label || 'Sign in with your identity provider';
      link.dataset.provider = provider.id;
      return link;
    }),
  );
  return providers;
}

async function init() {
  // Someone already signed in (a replayed callback, a bookmarked /login) belongs where they were going.
  const me = await api('GET', '/auth/me');
  if (me.status === 200) {
    location.replace(returnTo);
    return;
  }
  const error = params.get('error');
  if (error) showMessage(notice, 'error', reasonMessage(error));
  else if (params.has('loggedOut') || sessionStorage.getItem('signedOut'))
    showMessage(notice, 'info', 'You are signed out.');
  sessionStorage.removeItem('signedOut');

  const methods = await api('GET', '/auth/methods');
  document.getElementById('loading').hidden = true;
  if (methods.status !== 200) {
    showMessage(notice, 'error', reasonMessage(methods.body?.error ?? 'service_unavailable'));
    return;
  }
  const body = methods.body;
  if (body.method === 'oidc') {
    const providers = showProviders(body);
    oidcSection.hidden = false;
    passwordForEveryone = body.fallbackForRegularUsers !== false;
    if (!passwordForEveryone) toggle.textContent = 'Administrator? Sign in with a password';
    if (body.fallback) toggleRow.hidden = false;
    // `?password=1` is the escape hatch: the password form, never an automatic redirect.
    if (body.fallback && params.has('password')) {
      showPasswordForm(false);
      return;
    }
    if (body.autoRedirect && providers.length === 1 && !error && !params.has('loggedOut')) {
      showMessage(notice, 'info', 'Taking you to the identity provider…');
      location.replace(providerList.querySelector('a').href);
    }
  } else {
    showPasswordForm(false);
  }
}

/** The sentence for a refused password sign-in, with what the server told about waiting. */
function refusalText(result) {
  const code = result.body?.error ?? 'internal_error';
  if (code === 'too_many_attempts' && result.retryAfter)
    return `Too many failed password attempts for this user name or from this address. Try again ${waitText(result.retryAfter)}.`;
  if (code === 'invalid_credentials' && !passwordForEveryone)
    return 'Wrong user name or password. Note: here only administrators sign in with a password; everyone else uses the identity provider button above.';
  return reasonMessage(code);
}

toggle.addEventListener('click', () => showPasswordForm(true));

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  showMessage(formError, 'error', '');
  const username = form.elements.username.value.trim();
  const password = form.elements.password.value;
  if (!username || !password) {
    showMessage(formError, 'error', 'Enter your user name and password.');
    (username ? form.elements.password : form.elements.username).focus();
    return;
  }
  submit.disabled = true;
  const result = await api('POST', '/auth/login', { username, password });
  submit.disabled = false;
  if (result.status === 200) {
    location.assign(returnTo);
    return;
  }
  showMessage(formError, 'error', refusalText(result));
  form.elements.password.value = '';
  form.elements.password.focus();
});

void init();
