import { api, safeLocalPath, showMessage } from './common.js';
import { reasonMessage } from './messages.js';

const params = new URLSearchParams(location.search);
const returnTo = safeLocalPath(params.get('returnTo'), '/me');
const notice = document.getElementById('notice');
const oidcSection = document.getElementById('oidc-section');
const passwordSection = document.getElementById('password-section');
const toggleRow = document.getElementById('fallback-toggle-row');
const toggle = document.getElementById('fallback-toggle');
const form = document.getElementById('password-form');
const formError = document.getElementById('form-error');
const submit = document.getElementById('password-submit');

function showPasswordForm(focus) {
  passwordSection.hidden = false;
  toggle.setAttribute('aria-expanded', 'true');
  toggleRow.hidden = true;
  if (focus) document.getElementById('username').focus();
}

async function init() {
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
  const { method, fallback, providerName } = methods.body;
  if (method === 'oidc') {
    const link = document.getElementById('oidc-link');
    link.href = `/api/v1/auth/oidc/login?returnTo=${encodeURIComponent(returnTo)}`;
    link.textContent = `Sign in with ${providerName || 'your identity provider'}`;
    oidcSection.hidden = false;
    if (fallback) toggleRow.hidden = false;
    // After a refused password attempt the form stays open.
    if (fallback && params.has('password')) showPasswordForm(false);
  } else {
    showPasswordForm(false);
  }
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
  const code = result.body?.error ?? 'internal_error';
  showMessage(formError, 'error', reasonMessage(code));
  form.elements.password.value = '';
  form.elements.password.focus();
});

void init();
