import { api, el, showMessage } from './common.js';
import { reasonMessage } from './messages.js';

const form = document.getElementById('settings-form');
const notice = document.getElementById('notice');
const summary = document.getElementById('error-summary');
const errorList = document.getElementById('error-list');
const saveStatus = document.getElementById('save-status');
const secretInput = document.getElementById('oidc.clientSecret');
const secretChange = document.getElementById('secret-change');
const mappingRows = document.getElementById('mapping-rows');
let teams = [];

const settingInputs = () => [...form.querySelectorAll('[data-setting]')];

/** Reads a dot path such as `oidc.clientId` from the settings view. */
function pick(view, path) {
  return path.split('.').reduce((value, key) => (value == null ? undefined : value[key]), view);
}

function fill(view) {
  for (const radio of form.elements.method) radio.checked = radio.value === view.method;
  for (const input of settingInputs()) {
    const value = pick(view, input.dataset.setting);
    switch (input.dataset.kind) {
      case 'bool':
        input.checked = value === true;
        break;
      case 'list':
        input.value = (value ?? []).join(', ');
        break;
      case 'words':
        input.value = (value ?? []).join(' ');
        break;
      default:
        input.value = value === null || value === undefined ? '' : String(value);
    }
  }
  document.getElementById('redirectUri').value = view.redirectUri;
  document.getElementById('backchannelLogoutUri').value = view.backchannelLogoutUri;
  showSecretState(view.clientSecretSet);
  mappingRows.replaceChildren();
  for (const row of view.oidc.teamMapping ?? []) addMappingRow(row);
  updateMappingEmpty();
}

function showSecretState(isSet) {
  secretInput.value = '';
  document.getElementById('secret-state').textContent = isSet
    ? 'A client secret is set.'
    : 'No client secret set.';
  secretInput.hidden = isSet;
  secretChange.hidden = !isSet;
  secretChange.textContent = 'Change';
}

/** The PUT body: every field of the form; the secret only when one was typed. */
function collect() {
  const oidc = {};
  for (const input of settingInputs()) {
    const key = input.dataset.setting.slice('oidc.'.length);
    const raw = input.value.trim();
    switch (input.dataset.kind) {
      case 'bool':
        oidc[key] = input.checked;
        break;
      case 'list':
        oidc[key] = raw.split(/[\s,]+/).filter(Boolean);
        break;
      case 'words':
        oidc[key] = raw.split(/\s+/).filter(Boolean);
        break;
      case 'int':
        oidc[key] = raw === '' ? null : Number(raw);
        break;
      case 'nullable':
        oidc[key] = raw === '' ? null : raw;
        break;
      default:
        oidc[key] = raw;
    }
  }
  oidc.teamMapping = [...mappingRows.children].map((row) => ({
    teamId: row.querySelector('select').value,
    group: row.querySelector('input').value.trim(),
  }));
  if (secretInput.value) oidc.clientSecret = secretInput.value;
  const method = [...form.elements.method].find((radio) => radio.checked)?.value;
  return { method, oidc };
}

function teamOptions(selected) {
  const options = [el('option', { value: '' }, '— pick a team —')];
  for (const team of teams)
    options.push(el('option', { value: team.id, selected: team.id === selected }, team.name));
  return options;
}

function addMappingRow(row = { teamId: '', group: '' }) {
  const index = mappingRows.children.length + 1;
  const select = el(
    'select',
    { 'aria-label': `Team of mapping row ${index}` },
    ...teamOptions(row.teamId),
  );
  const group = el('input', {
    'aria-label': `Group of mapping row ${index}`,
    placeholder: '(any user)',
    value: row.group ?? '',
  });
  const remove = el(
    'button',
    { type: 'button', class: 'button button-quiet', 'aria-label': `Remove mapping row ${index}` },
    'Remove',
  );
  remove.addEventListener('click', () => {
    const next = tr.nextElementSibling ?? tr.previousElementSibling;
    tr.remove();
    updateMappingEmpty();
    (next?.querySelector('select') ?? document.getElementById('mapping-add')).focus();
  });
  const tr = el(
    'tr',
    {},
    el(
      'td',
      {},
      select,
      el('p', { class: 'field-error', 'data-error-for': 'teamId', hidden: true }),
    ),
    el('td', {}, group, el('p', { class: 'field-error', 'data-error-for': 'group', hidden: true })),
    el('td', { class: 'row-actions' }, remove),
  );
  mappingRows.append(tr);
  updateMappingEmpty();
  return tr;
}

function updateMappingEmpty() {
  document.getElementById('mapping-empty').hidden = mappingRows.children.length > 0;
}

/** Where a field error of the API (`oidc.teamMapping[2].teamId`, `oidc.clientId`, `method`) is shown. */
function errorTarget(name) {
  const row = /^oidc\.teamMapping\[(\d+)\](?:\.(teamId|group))?$/.exec(name);
  if (row) {
    const tr = mappingRows.children[Number(row[1])];
    if (tr) {
      const part = row[2] ?? 'teamId';
      return {
        message: tr.querySelector(`[data-error-for="${part}"]`),
        control: tr.querySelector(part === 'group' ? 'input' : 'select'),
        label: `Team mapping row ${Number(row[1]) + 1}`,
      };
    }
  }
  const container = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
  if (!container) return undefined;
  const control =
    container.querySelector('input:not([hidden]), select, textarea') ??
    container.querySelector('button');
  const label =
    container.querySelector('label, legend')?.textContent.replace('optional', '').trim() ?? name;
  return { message: container.querySelector(':scope > .field-error'), control, label };
}

function clearErrors() {
  summary.hidden = true;
  errorList.replaceChildren();
  for (const message of form.querySelectorAll('.field-error')) {
    message.hidden = true;
    message.textContent = '';
    message.removeAttribute('id');
  }
  for (const control of form.querySelectorAll('[aria-invalid]')) {
    control.removeAttribute('aria-invalid');
    control.removeAttribute('aria-describedby');
  }
}

function showFieldErrors(fields) {
  let first;
  let counter = 0;
  for (const [name, text] of Object.entries(fields)) {
    const target = errorTarget(name);
    const id = `field-error-${counter++}`;
    if (target?.message) {
      target.message.textContent = text;
      target.message.hidden = false;
      target.message.id = id;
    }
    if (target?.control) {
      target.control.setAttribute('aria-invalid', 'true');
      target.control.setAttribute('aria-describedby', id);
      first ??= target.control;
    }
    const link = el('a', { href: '#' }, `${target?.label ?? name}: ${text}`);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      target?.control?.focus();
    });
    errorList.append(el('li', {}, link));
  }
  summary.hidden = false;
  summary.focus();
  return first;
}

async function save(event) {
  event.preventDefault();
  clearErrors();
  showMessage(notice, 'info', '');
  const button = document.getElementById('save');
  button.disabled = true;
  saveStatus.textContent = 'Saving…';
  const result = await api('PUT', '/admin/authentication', collect());
  button.disabled = false;
  if (result.status === 200) {
    fill(result.body);
    saveStatus.textContent = 'Saved.';
    showMessage(notice, 'success', 'Settings saved. They apply from the next sign-in.');
    void loadLog();
    return;
  }
  saveStatus.textContent = '';
  if (result.body?.error === 'validation_failed' && result.body.fields) {
    showFieldErrors(result.body.fields);
    return;
  }
  showMessage(notice, 'error', result.body?.message ?? reasonMessage(result.body?.error));
}

async function discover() {
  const issuerInput = document.getElementById('oidc.issuer');
  clearErrors();
  const button = document.getElementById('discover');
  button.disabled = true;
  saveStatus.textContent = 'Reading the discovery document…';
  const result = await api('POST', '/admin/authentication/discover', {
    issuer: issuerInput.value.trim(),
  });
  button.disabled = false;
  saveStatus.textContent = '';
  if (result.status !== 200) {
    const message = result.body?.message ?? reasonMessage(result.body?.error);
    const fields = result.body?.fields
      ? Object.fromEntries(
          Object.entries(result.body.fields).map(([k, v]) => [
            k === 'issuer' ? 'oidc.issuer' : k,
            v,
          ]),
        )
      : { 'oidc.issuer': message };
    showFieldErrors(fields);
    return;
  }
  const found = result.body;
  const set = (name, value) => {
    document.getElementById(`oidc.${name}`).value = value ?? '';
  };
  for (const name of [
    'issuer',
    'authorizationEndpoint',
    'tokenEndpoint',
    'userInfoEndpoint',
    'jwksEndpoint',
    'endSessionEndpoint',
  ])
    set(name, found[name]);
  if (found.signatureAlgorithms?.length)
    set('signatureAlgorithms', found.signatureAlgorithms.join(', '));
  const auth = document.getElementById('oidc.tokenEndpointAuthMethod');
  const supported = found.tokenEndpointAuthMethods ?? [];
  if (supported.length && !supported.includes(auth.value)) {
    const usable = supported.find((method) =>
      ['client_secret_post', 'client_secret_basic'].includes(method),
    );
    if (usable) auth.value = usable;
  }
  showMessage(
    notice,
    'info',
    'Endpoints filled from the discovery document. Review them and press Save.',
  );
}

async function createTeam() {
  const input = document.getElementById('new-team-name');
  const error = document.getElementById('new-team-error');
  error.hidden = true;
  const name = input.value.trim();
  if (!name) {
    error.textContent = 'Enter a team name.';
    error.hidden = false;
    input.focus();
    return;
  }
  const result = await api('POST', '/admin/teams', { name });
  if (result.status !== 201) {
    error.textContent =
      result.body?.fields?.name ?? result.body?.message ?? reasonMessage(result.body?.error);
    error.hidden = false;
    input.focus();
    return;
  }
  input.value = '';
  await loadTeams();
  addMappingRow({ teamId: result.body.id, group: '' }).querySelector('input').focus();
}

async function loadTeams() {
  const result = await api('GET', '/admin/teams');
  teams = result.status === 200 ? result.body : [];
  for (const select of mappingRows.querySelectorAll('select')) {
    const selected = select.value;
    select.replaceChildren(...teamOptions(selected));
  }
}

async function loadLog() {
  const result = await api('GET', '/admin/auth-log');
  const rows = result.status === 200 ? result.body.slice(0, 50) : [];
  document
    .getElementById('log-rows')
    .replaceChildren(
      ...rows.map((entry) =>
        el(
          'tr',
          {},
          el('td', {}, new Date(entry.createdAt).toLocaleString()),
          el('td', {}, entry.method),
          el('td', {}, entry.userName ?? '—'),
          el('td', {}, entry.ipAddress ?? '—'),
          el(
            'td',
            {},
            el(
              'span',
              { class: entry.success ? 'badge badge-ok' : 'badge badge-fail' },
              entry.success ? 'success' : 'refused',
            ),
          ),
          el('td', { title: entry.success ? '' : reasonMessage(entry.reason) }, entry.reason),
        ),
      ),
    );
  document.getElementById('log-empty').hidden = rows.length > 0;
  document.getElementById('log-panel').hidden = false;
}

async function copy(button) {
  const input = document.getElementById(button.dataset.copy);
  let copied = false;
  try {
    await navigator.clipboard.writeText(input.value);
    copied = true;
  } catch {
    // The clipboard API needs a secure context; selecting the text lets the admin copy it by hand.
    input.select();
    copied = document.execCommand?.('copy') ?? false;
  }
  const text = copied ? 'Copied' : 'Press Ctrl+C';
  button.textContent = text;
  document.getElementById('copy-status').textContent = copied
    ? 'Copied to the clipboard.'
    : 'Selected: press Ctrl+C to copy.';
  setTimeout(() => (button.textContent = 'Copy'), 2000);
}

async function init() {
  const me = await api('GET', '/auth/me');
  if (me.status === 401) {
    location.replace(`/login?returnTo=${encodeURIComponent('/admin')}`);
    return;
  }
  document.getElementById('loading').hidden = true;
  if (me.status !== 200 || !me.body.isAdmin) {
    showMessage(notice, 'error', 'This page is for administrators only.');
    return;
  }
  await loadTeams();
  const settings = await api('GET', '/admin/authentication');
  if (settings.status !== 200) {
    showMessage(notice, 'error', settings.body?.message ?? reasonMessage(settings.body?.error));
    return;
  }
  fill(settings.body);
  form.hidden = false;
  await loadLog();
}

form.addEventListener('submit', save);
document.getElementById('discover').addEventListener('click', discover);
document
  .getElementById('mapping-add')
  .addEventListener('click', () => addMappingRow().querySelector('select').focus());
document.getElementById('new-team-create').addEventListener('click', createTeam);
document.getElementById('new-team-name').addEventListener('keydown', (event) => {
  if (event.key === 'Enter') {
    event.preventDefault();
    void createTeam();
  }
});
document.getElementById('log-refresh').addEventListener('click', loadLog);
secretChange.addEventListener('click', () => {
  secretInput.hidden = false;
  secretChange.hidden = true;
  secretInput.focus();
});
for (const button of document.querySelectorAll('[data-copy]'))
  button.addEventListener('click', () => copy(button));

void init();
