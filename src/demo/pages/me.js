import { api, el, recheckSessionOnRestore, showMessage } from './common.js';
import { reasonMessage } from './messages.js';

const notice = document.getElementById('notice');
const logoutButton = document.getElementById('logout');

function text(value) {
  return value === null || value === undefined || value === '' ? '—' : value;
}

async function init() {
  const me = await api('GET', '/auth/me');
  document.getElementById('loading').hidden = true;
  if (me.status === 401) {
    location.replace(`/login?returnTo=${encodeURIComponent('/me')}`);
    return;
  }
  if (me.status !== 200) {
    showMessage(notice, 'error', reasonMessage(me.body?.error ?? 'internal_error'));
    return;
  }
  const user = me.body;
  document.getElementById('user-name').textContent = user.userName;
  const fullName = [user.firstName, user.middleName, user.lastName].filter(Boolean).join(' ');
  document.getElementById('full-name').textContent = text(fullName);
  document.getElementById('email').textContent = text(user.emailAddress);
  document.getElementById('role').textContent = user.isAdmin ? 'Administrator' : 'User';
  document.getElementById('admin-link').hidden = !user.isAdmin;
  const teams = document.getElementById('teams');
  const names = (user.teams ?? []).map((team) => team.name).sort((a, b) => a.localeCompare(b));
  teams.replaceChildren(...names.map((name) => el('li', { class: 'chip' }, name)));
  document.getElementById('no-teams').hidden = names.length > 0;
  document.getElementById('profile').hidden = false;
  // No autofocus on Sign out: Enter on a freshly loaded page must not sign anyone out.
  document.getElementById('main').focus({ preventScroll: true });
}

recheckSessionOnRestore(() => {
  document.getElementById('profile').hidden = true;
  document.getElementById('loading').hidden = false;
}, '/me');

logoutButton.addEventListener('click', async () => {
  logoutButton.disabled = true;
  const result = await api('POST', '/auth/logout');
  if (result.status === 200 || result.status === 401) {
    // The server answers where to end the identity provider's session too, or null.
    const target = result.status === 200 ? result.body?.redirectUrl : null;
    // The IdP brings the browser back to the site root; the login page then says why.
    sessionStorage.setItem('signedOut', '1');
    location.assign(target || '/login?loggedOut=1');
    return;
  }
  logoutButton.disabled = false;
  showMessage(notice, 'error', reasonMessage(result.body?.error ?? 'internal_error'));
});

void init();
