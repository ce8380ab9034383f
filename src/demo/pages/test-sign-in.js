import { api, el, showMessage } from './common.js';
import { reasonMessage } from './messages.js';

const id = new URLSearchParams(location.search).get('id') ?? '';
const notice = document.getElementById('notice');

const ACTIONS = {
  create: 'A new user would be created.',
  link: 'An existing user would be linked to this identity, then signed in.',
  existing: 'The user already bound to this identity would sign in.',
};
const LINKED_BY = {
  identity: 'its provider identity (issuer and subject)',
  userName: 'user name',
  verifiedEmail: 'verified email',
};
const ADMIN_CHANGES = {
  granted: 'granted by an administrator group',
  removed: 'removed (not in an administrator group)',
  kept: 'unchanged',
  kept_last_admin: 'kept: this is the last active administrator',
};
/** Team names by id, for the teams a sign-in would add or remove. */
let teamNames = new Map();

function json(value) {
  return value === undefined || value === null ? '(none)' : JSON.stringify(value, null, 2);
}

/** A team as the API names it: a string, or {id, name}. */
function teamName(team) {
  if (typeof team === 'string') return teamNames.get(team) ?? team;
  return team?.name ?? team?.id ?? String(team);
}

/** Profile changes as `field: old → new`, from an array of {field, from, to} or an object. */
function changeLines(changes) {
  if (!changes) return [];
  const entries = Array.isArray(changes)
    ? changes.map((c) => [c.field ?? c.name, c])
    : Object.entries(changes);
  return entries.map(([field, change]) => {
    const from = change && typeof change === 'object' && 'from' in change ? change.from : undefined;
    const to = change && typeof change === 'object' && 'to' in change ? change.to : change;
    return `${field}: ${from === undefined ? '' : `${json(from)} → `}${json(to)}`;
  });
}

function listBlock(title, items) {
  if (!items || items.length === 0) return null;
  return el(
    'div',
    {},
    el('h3', {}, title),
    el('ul', {}, ...items.map((item) => el('li', {}, item))),
  );
}

function render(view) {
  const result = view.result ?? {};
  const plan = result.plan ?? {};
  const refused = result.outcome === 'refused';
  const outcome = document.getElementById('outcome');
  outcome.className = `notice notice-${refused ? 'error' : 'success'}`;
  outcome.replaceChildren(
    el('strong', {}, refused ? 'Would be refused' : 'Would sign in'),
    result.code ? el('span', {}, ' ', el('code', {}, result.code)) : null,
    el('p', {}, result.code ? reasonMessage(result.code) : (ACTIONS[plan.action] ?? '')),
    result.message && result.message !== reasonMessage(result.code)
      ? el('p', { class: 'muted' }, result.message)
      : null,
  );
  const facts = [
    ['User name', result.userName ?? '—'],
    ['Action', plan.action ? (ACTIONS[plan.action] ?? plan.action) : '—'],
    ['Linked by', plan.linkedBy ? (LINKED_BY[plan.linkedBy] ?? plan.linkedBy) : '—'],
    ['Administrator', plan.isAdmin === undefined ? '—' : plan.isAdmin ? 'yes' : 'no'],
    ['Admin role', plan.adminChange ? (ADMIN_CHANGES[plan.adminChange] ?? plan.adminChange) : '—'],
  ];
  document
    .getElementById('plan')
    .replaceChildren(
      ...facts.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, String(value))]),
    );
  document.getElementById('plan-lists').replaceChildren(
    ...[
      listBlock('Profile fields that would change', changeLines(plan.profileChanges)),
      listBlock('Teams that would be added', (plan.teamsAdded ?? []).map(teamName)),
      listBlock('Teams that would be removed', (plan.teamsRemoved ?? []).map(teamName)),
      listBlock(
        'Warnings',
        (plan.warnings ?? []).map((w) => (typeof w === 'string' ? reasonMessageOr(w) : json(w))),
      ),
    ].filter(Boolean),
  );
  document
    .getElementById('checks')
    .replaceChildren(
      ...(view.checks ?? []).map((check) =>
        el(
          'li',
          {},
          el(
            'span',
            { class: check.ok ? 'badge badge-ok' : 'badge badge-fail' },
            check.ok ? 'passed' : 'failed',
          ),
          ' ',
          check.name,
          check.code ? el('span', {}, ' ', el('code', {}, check.code)) : null,
          !check.ok && (check.message || check.code)
            ? el('p', { class: 'help' }, check.message ?? reasonMessage(check.code))
            : null,
        ),
      ),
    );
  document.getElementById('id-token-header').textContent = json(view.idToken?.header);
  document.getElementById('id-token-claims').textContent = json(view.idToken?.claims);
  document.getElementById('userinfo').textContent = json(view.userInfo);
  document.getElementById('result').hidden = false;
}

/** A warning that is a reason code reads as its sentence, with the code. */
function reasonMessageOr(text) {
  return /^[a-z_]+$/.test(text) ? `${reasonMessage(text)} (${text})` : text;
}

async function init() {
  const me = await api('GET', '/auth/me');
  if (me.status === 401) {
    location.replace(`/login?returnTo=${encodeURIComponent(location.pathname + location.search)}`);
    return;
  }
  if (me.status !== 200 || !me.body.isAdmin) {
    document.getElementById('loading').hidden = true;
    showMessage(notice, 'error', 'This page is for administrators only.');
    return;
  }
  // The IdP may bring the browser here a moment before the result is stored.
  for (let attempt = 0; attempt < 30; attempt++) {
    const result = await api('GET', `/admin/authentication/test-sign-in/${encodeURIComponent(id)}`);
    if (result.status !== 200) {
      document.getElementById('loading').hidden = true;
      showMessage(notice, 'error', result.body?.message ?? reasonMessage(result.body?.error));
      return;
    }
    if (result.body.status !== 'pending') {
      const teams = await api('GET', '/admin/teams');
      if (teams.status === 200) teamNames = new Map(teams.body.map((team) => [team.id, team.name]));
      document.getElementById('loading').hidden = true;
      render(result.body);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  document.getElementById('loading').hidden = true;
  showMessage(notice, 'error', 'The test did not finish: start it again from the settings page.');
}

void init();
