import { api, el, recheckSessionOnRestore, showMessage } from './common.js';
import { reasonMessage } from './messages.js';
import { DEFAULT_OIDC_SETTINGS } from './site-rules.js';

const form = document.getElementById('settings-form');
const pageNotice = document.getElementById('page-notice');
const savebar = document.getElementById('savebar');
const notice = document.getElementById('notice');
const errorList = document.getElementById('error-list');
const savebarActions = document.getElementById('savebar-actions');
const secretInput = document.getElementById('oidc.clientSecret');
const secretChange = document.getElementById('secret-change');
const mappingRows = document.getElementById('mapping-rows');
const providerRows = document.getElementById('provider-rows');
const providerId = document.getElementById('provider.id');
const providerLabel = document.getElementById('provider.label');
const providerEnabled = document.getElementById('provider.enabled');
let teams = [];
/** Every provider as last listed, `default` (the main provider) first. */
let providers = [];
/**
 * What the form edits: null for the main provider (`GET/PUT /admin/authentication`), else
 * `{id, isNew}` for a provider of `/admin/authentication/providers`. One form, one code path.
 */
let editing = null;
/** The settings as last loaded or saved: what Discard goes back to. */
let lastView = null;
/** `collect()` of the last loaded or saved settings, to tell whether the form has changes. */
let cleanBody = '';
/** Set once the admin agreed to leave, so the browser does not ask a second time. */
let leaving = false;

/** The sentence of a refused API call: the server's message, else the code's sentence. */
const refusal = (result) => result.body?.message ?? reasonMessage(result.body?.error);
const providerPath = (id) => `/admin/authentication/providers/${encodeURIComponent(id)}`;
const quoted = (provider) => `“${provider.label}”`;

/** Inputs of the settings this server knows (a setting absent from its answer is hidden). */
const settingInputs = () =>
  [...form.querySelectorAll('[data-setting]')].filter((input) => input.dataset.absent !== 'true');

/** Reads a dot path such as `oidc.clientId` from the settings view. */
function pick(view, path) {
  return path.split('.').reduce((value, key) => (value == null ? undefined : value[key]), view);
}

/** Shows the part of the form that only one kind of target has: the method, or id/label/enabled. */
function fillTarget(view) {
  document.getElementById('method-panel').hidden = editing !== null;
  document.getElementById('provider-panel').hidden = editing === null;
  for (const note of form.querySelectorAll('[data-provider-only]')) note.hidden = editing === null;
  for (const radio of form.elements.method) radio.checked = radio.value === view.method;
  if (editing) {
    document.getElementById('h-provider').textContent = editing.isNew
      ? 'New provider'
      : `Provider ${quoted(view)}`;
    providerId.value = view.id ?? '';
    providerId.readOnly = !editing.isNew;
    providerLabel.value = view.label ?? '';
    providerEnabled.checked = view.enabled !== false;
  }
  const testButton = document.getElementById('test-sign-in');
  testButton.disabled = editing?.isNew === true;
  document.getElementById('test-sign-in-note').hidden = editing?.isNew !== true;
  markEditedRow();
}

/** Marks the providers list's row of what the form edits. */
function markEditedRow() {
  for (const row of providerRows.children)
    row.classList.toggle('is-editing', row.dataset.provider === (editing?.id ?? 'default'));
}

/** The redirect URI a provider gets (shown while a new one is typed in; the server's rule). */
function previewRedirectUri() {
  const main = providers[0]?.redirectUri ?? '';
  const id = providerId.value.trim();
  return id ? main.replace(/\/callback$/, `/${id}/callback`) : '';
}

function fill(view) {
  lastView = view;
  fillTarget(view);
  for (const input of form.querySelectorAll('[data-setting]')) {
    const value = pick(view, input.dataset.setting);
    const container = input.closest('[data-field]');
    // A server without this setting yet, or a site-wide one in a provider's form: neither shown nor sent.
    const unused = value === undefined || (editing !== null && !!input.closest('[data-site-wide]'));
    input.dataset.absent = String(unused);
    if (container) container.hidden = unused;
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
      case 'lines':
        input.value = (value ?? []).join('\n');
        break;
      default:
        input.value = value === null || value === undefined ? '' : String(value);
    }
  }
  // A panel whose every setting this server lacks is hidden as a whole.
  for (const panel of form.querySelectorAll('.panel')) {
    const inputs = [...panel.querySelectorAll('[data-setting]')];
    if (inputs.length) panel.hidden = inputs.every((input) => input.dataset.absent === 'true');
  }
  document.getElementById('redirectUri').value = view.redirectUri ?? previewRedirectUri();
  document.getElementById('backchannelLogoutUri').value = view.backchannelLogoutUri;
  showSecretState(view.clientSecretSet);
  mappingRows.replaceChildren();
  for (const row of view.oidc.teamMapping ?? []) addMappingRow(row);
  updateMappingEmpty();
  cleanBody = JSON.stringify(collect());
  updateDirty();
}

function isDirty() {
  return lastView !== null && JSON.stringify(collect()) !== cleanBody;
}

/** The save bar shows while the form has changes, or while it holds a message. */
function updateDirty() {
  const dirty = isDirty();
  savebarActions.hidden = !dirty;
  savebar.hidden = !dirty && notice.textContent === '';
  document.body.classList.toggle('has-savebar', !savebar.hidden);
}

/**
 * The one message area of the form: each message replaces the one before. `fields` lists
 * field errors as links to their fields.
 */
function say(kind, text, fields = []) {
  notice.className = text ? `savebar-message notice notice-${kind}` : 'savebar-message';
  notice.textContent = text;
  errorList.replaceChildren(...fields);
  errorList.hidden = fields.length === 0;
  updateDirty();
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

/**
 * The body of the save: every field of the form; the secret only when one was typed. The main
 * provider's is `{method, oidc}`, a provider's `{label, enabled, oidc}` (and `id` when new).
 */
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
      case 'lines':
        oidc[key] = raw
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean);
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
  if (editing) {
    const body = { label: providerLabel.value.trim(), enabled: providerEnabled.checked, oidc };
    return editing.isNew ? { id: providerId.value.trim(), ...body } : body;
  }
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
    updateDirty();
    (next?.querySelector('select') ?? document.getElementById('mapping-add')).focus();
  });
  const tr = el(
    'tr',
    {},
    el(
      'td',
      { 'data-label': 'Team' },
      select,
      el('p', { class: 'field-error', 'data-error-for': 'teamId', hidden: true }),
    ),
    el(
      'td',
      { 'data-label': 'Group' },
      group,
      el('p', { class: 'field-error', 'data-error-for': 'group', hidden: true }),
    ),
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

/** Marks each field and answers the links for the message area. */
function showFieldErrors(fields) {
  const links = [];
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
    }
    const link = el('a', { href: '#' }, `${target?.label ?? name}: ${text}`);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      target?.control?.focus();
    });
    links.push(el('li', {}, link));
  }
  return links;
}

const plural = (count, word) => `${count} ${word}${count === 1 ? '' : 's'}`;

async function save(event) {
  event.preventDefault();
  clearErrors();
  const button = document.getElementById('save');
  button.disabled = true;
  say('info', 'Saving…');
  const adding = editing?.isNew === true;
  const result = adding
    ? await api('POST', '/admin/authentication/providers', collect())
    : await api('PUT', editing ? providerPath(editing.id) : '/admin/authentication', collect());
  button.disabled = false;
  if (result.status === 200 || result.status === 201) {
    if (adding) editing = { id: result.body.id, isNew: false };
    await loadProviders();
    fill(result.body);
    say(
      'success',
      adding
        ? `Provider ${quoted(result.body)} added. Register its redirect URI (shown below) at its identity provider.`
        : 'Saved. The settings apply from the next sign-in.',
    );
    void loadLog();
    return;
  }
  // Field errors: 400 validation_failed, and 409 conflict for an id that is taken.
  if (result.body?.fields) {
    const count = Object.keys(result.body.fields).length;
    say(
      'error',
      `Not saved: ${plural(count, 'field')} to fix.`,
      showFieldErrors(result.body.fields),
    );
    notice.focus();
    return;
  }
  say('error', `Not saved: ${refusal(result)}`);
  notice.focus();
}

function discard() {
  clearErrors();
  if (lastView) fill(lastView);
  say('info', 'Changes discarded: the form shows the saved settings again.');
}

async function discover() {
  const issuerInput = document.getElementById('oidc.issuer');
  clearErrors();
  const button = document.getElementById('discover');
  button.disabled = true;
  say('info', 'Reading the discovery document…');
  const result = await api('POST', '/admin/authentication/discover', {
    issuer: issuerInput.value.trim(),
  });
  button.disabled = false;
  if (result.status !== 200) {
    const message = refusal(result);
    const fields = result.body?.fields
      ? Object.fromEntries(
          Object.entries(result.body.fields).map(([k, v]) => [
            k === 'issuer' ? 'oidc.issuer' : k,
            v,
          ]),
        )
      : { 'oidc.issuer': message };
    showFieldErrors(fields);
    say('error', `Discover failed, nothing changed: ${message}`);
    return;
  }
  const found = result.body;
  let changed = 0;
  const set = (name, value) => {
    const input = document.getElementById(`oidc.${name}`);
    if (input.value !== (value ?? '')) changed++;
    input.value = value ?? '';
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
  const advertised = found.signatureAlgorithms ?? [];
  const current = document
    .getElementById('oidc.signatureAlgorithms')
    .value.split(/[\s,]+/)
    .filter(Boolean);
  // Keep the admin's choice when the provider supports it; else its public-key algorithms
  // (HS* only on purpose: they need a long shared secret).
  if (advertised.length && !current.every((alg) => advertised.includes(alg))) {
    const publicKey = advertised.filter((alg) => !alg.startsWith('HS'));
    set('signatureAlgorithms', (publicKey.length ? publicKey : advertised).join(', '));
  }
  const auth = document.getElementById('oidc.tokenEndpointAuthMethod');
  const supported = found.tokenEndpointAuthMethods ?? [];
  if (supported.length && !supported.includes(auth.value)) {
    const usable = supported.find((method) =>
      ['client_secret_post', 'client_secret_basic'].includes(method),
    );
    if (usable && usable !== auth.value) {
      auth.value = usable;
      changed++;
    }
  }
  say(
    'info',
    changed > 0
      ? `Discover filled ${plural(changed, 'field')} from the discovery document: review them and press Save.`
      : 'Discover found nothing to change: the endpoints already match the discovery document.',
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
    error.textContent = result.body?.fields?.name ?? refusal(result);
    error.hidden = false;
    input.focus();
    return;
  }
  input.value = '';
  await loadTeams();
  addMappingRow({ teamId: result.body.id, group: '' }).querySelector('input').focus();
  updateDirty();
}

async function loadTeams() {
  const result = await api('GET', '/admin/teams');
  teams = result.status === 200 ? result.body : [];
  for (const select of mappingRows.querySelectorAll('select')) {
    const selected = select.value;
    select.replaceChildren(...teamOptions(selected));
  }
}

/** The reason cell: the sentence an admin can act on, the code for searching, the entry's detail. */
function reasonCell(entry) {
  const cell = el('td', { 'data-label': 'Reason', class: 'reason' });
  if (!entry.success)
    cell.append(el('span', { class: 'reason-text' }, reasonMessage(entry.reason)));
  cell.append(' ', el('code', { class: 'reason-code' }, entry.reason));
  if (entry.count > 1) cell.append(' ', el('span', { class: 'muted' }, `×${entry.count}`));
  if (entry.message) cell.append(el('span', { class: 'reason-detail muted' }, entry.message));
  return cell;
}

async function loadLog() {
  const result = await api('GET', '/admin/auth-log');
  const list = Array.isArray(result.body) ? result.body : (result.body?.entries ?? []);
  const rows = result.status === 200 ? list.slice(0, 50) : [];
  document
    .getElementById('log-rows')
    .replaceChildren(
      ...rows.map((entry) =>
        el(
          'tr',
          {},
          el('td', { 'data-label': 'Time' }, new Date(entry.createdAt).toLocaleString()),
          el('td', { 'data-label': 'Method' }, entry.method),
          el('td', { 'data-label': 'User' }, entry.userName ?? '—'),
          el('td', { 'data-label': 'Address' }, entry.ipAddress ?? '—'),
          el(
            'td',
            { 'data-label': 'Result' },
            el(
              'span',
              { class: entry.success ? 'badge badge-ok' : 'badge badge-fail' },
              entry.success ? 'success' : 'refused',
            ),
          ),
          reasonCell(entry),
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

/** A read-only URI of a provider row, with its Copy button. */
function copyableUri(provider, key, text, phrase) {
  const id = `provider-${provider.id}-${key}`;
  return el(
    'div',
    { class: 'field' },
    el('label', { for: id }, text),
    el(
      'div',
      { class: 'input-row' },
      el('input', { id, readonly: true, value: provider[key] }),
      el(
        'button',
        {
          type: 'button',
          class: 'button copy',
          'data-copy': id,
          'aria-label': `Copy the ${phrase} of ${provider.label}`,
        },
        'Copy',
      ),
    ),
  );
}

function rowButton(text, name, onClick, extra = {}) {
  const button = el(
    'button',
    { type: 'button', class: 'button', 'aria-label': name, ...extra },
    text,
  );
  button.addEventListener('click', () => void onClick());
  return button;
}

/** One row of the providers list: label, id, state, the URIs to copy, the secret, the actions. */
function providerRow(provider) {
  const main = provider.readOnly;
  const off = main ? 'off: the method is Password' : 'disabled';
  const state = el(
    'span',
    { class: provider.enabled ? 'badge badge-ok' : 'badge badge-off' },
    provider.enabled ? 'enabled' : off,
  );
  const actions = main
    ? [rowButton('Edit', `Edit the main provider (${provider.label})`, () => editMain())]
    : [
        rowButton('Edit', `Edit ${provider.label}`, () => editProvider(provider.id)),
        rowButton(
          provider.enabled ? 'Disable' : 'Enable',
          `${provider.enabled ? 'Disable' : 'Enable'} ${provider.label}`,
          () => setEnabled(provider, !provider.enabled),
          { 'data-toggle': provider.id },
        ),
        rowButton('Delete', `Delete ${provider.label}`, () => removeProvider(provider), {
          class: 'button button-quiet',
        }),
      ];
  return el(
    'li',
    {
      class: 'provider',
      'data-provider': provider.id,
      'aria-labelledby': `provider-${provider.id}-name`,
    },
    el(
      'div',
      { class: 'provider-head' },
      el('h3', { id: `provider-${provider.id}-name`, class: 'provider-name' }, provider.label),
      el('code', { class: 'provider-id' }, provider.id),
      state,
      main ? el('span', { class: 'badge badge-main' }, 'main provider') : null,
      el('span', { class: 'badge badge-editing' }, 'in the form below'),
    ),
    main
      ? el(
          'p',
          { class: 'help' },
          "The site's own provider: the settings form below edits it, with the sign-in method.",
        )
      : null,
    el(
      'div',
      { class: 'provider-uris' },
      copyableUri(provider, 'redirectUri', 'Redirect URI', 'redirect URI'),
      copyableUri(
        provider,
        'backchannelLogoutUri',
        'Back-channel logout URI',
        'back-channel logout URI',
      ),
    ),
    el(
      'p',
      { class: 'secret-state' },
      provider.clientSecretSet ? 'A client secret is set.' : 'No client secret set.',
    ),
    el('div', { class: 'provider-actions' }, ...actions),
  );
}

async function loadProviders() {
  const result = await api('GET', '/admin/authentication/providers');
  // A server without several providers: the section stays hidden.
  if (result.status === 404) return;
  if (result.status !== 200 || !Array.isArray(result.body)) {
    say('error', `Providers not listed: ${refusal(result)}`);
    return;
  }
  providers = result.body;
  providerRows.replaceChildren(...providers.map(providerRow));
  markEditedRow();
  document.getElementById('providers-panel').hidden = false;
}

/** Points the form at another target; unsaved changes are given up only when the admin agrees. */
function switchTarget(next, view, focusId) {
  if (isDirty() && !window.confirm('You have unsaved changes in the form. Discard them?'))
    return false;
  editing = next;
  clearErrors();
  fill(view);
  say('info', '');
  document.getElementById(focusId).focus();
  return true;
}

async function editMain() {
  if (editing === null) {
    document.getElementById('h-method').focus();
    return;
  }
  const settings = await api('GET', '/admin/authentication');
  if (settings.status !== 200) {
    say('error', refusal(settings));
    return;
  }
  switchTarget(null, settings.body, 'h-method');
}

async function editProvider(id) {
  if (editing?.id === id) {
    document.getElementById('h-provider').focus();
    return;
  }
  const result = await api('GET', providerPath(id));
  if (result.status !== 200) {
    say('error', `Not opened: ${refusal(result)}`);
    return;
  }
  switchTarget({ id, isNew: false }, result.body, 'h-provider');
}

function addProvider() {
  const main = providers[0];
  // The fields this server shows, with the server's defaults (the site-wide ones stay unused).
  const oidc = Object.fromEntries(
    Object.keys(main.oidc).map((key) => [
      key,
      Object.hasOwn(DEFAULT_OIDC_SETTINGS, key) ? DEFAULT_OIDC_SETTINGS[key] : main.oidc[key],
    ]),
  );
  const view = {
    id: '',
    label: '',
    enabled: true,
    oidc,
    clientSecretSet: false,
    backchannelLogoutUri: main.backchannelLogoutUri,
  };
  if (switchTarget({ id: null, isNew: true }, view, 'h-provider')) providerId.focus();
}

async function setEnabled(provider, enabled) {
  const result = await api('PUT', providerPath(provider.id), { enabled });
  if (result.status !== 200) {
    say('error', `Not changed: ${refusal(result)}`);
    return;
  }
  if (editing?.id === provider.id) {
    // Unsaved changes stay; the checkbox (and what Discard goes back to) follows the change.
    if (isDirty()) {
      providerEnabled.checked = enabled;
      lastView = result.body;
    } else fill(result.body);
  }
  await loadProviders();
  say(
    'success',
    enabled
      ? `${quoted(provider)} is enabled: its button is on the login page.`
      : `${quoted(provider)} is disabled: its button is no longer on the login page.`,
  );
  providerRows.querySelector(`[data-toggle="${CSS.escape(provider.id)}"]`)?.focus();
}

async function removeProvider(provider) {
  const confirmed = window.confirm(
    `Delete the provider ${quoted(provider)} (${provider.id})? Its sessions are ended: everyone signed in through it is signed out. Its users and their identities stay.`,
  );
  if (!confirmed) return;
  const result = await api('DELETE', providerPath(provider.id));
  if (result.status !== 200) {
    say('error', `Not deleted: ${refusal(result)}`);
    return;
  }
  if (editing?.id === provider.id) {
    const settings = await api('GET', '/admin/authentication');
    if (settings.status === 200) {
      editing = null;
      clearErrors();
      fill(settings.body);
    }
  }
  await loadProviders();
  const count = result.body.sessionsRevoked;
  say(
    'success',
    `Provider ${quoted(provider)} deleted; ${plural(count, 'session')} ended. Its users stay.`,
  );
  document.getElementById('provider-add').focus();
}

async function init() {
  const me = await api('GET', '/auth/me');
  if (me.status === 401) {
    location.replace(`/login?returnTo=${encodeURIComponent('/admin')}`);
    return;
  }
  document.getElementById('loading').hidden = true;
  if (me.status !== 200 || !me.body.isAdmin) {
    showMessage(pageNotice, 'error', 'This page is for administrators only.');
    return;
  }
  await loadTeams();
  const settings = await api('GET', '/admin/authentication');
  if (settings.status !== 200) {
    showMessage(pageNotice, 'error', refusal(settings));
    return;
  }
  await loadProviders();
  fill(settings.body);
  form.hidden = false;
  await loadLog();
}

/** Opens the test sign-in of the form's settings in a new tab (opened at once: popup blockers). */
async function testSignIn() {
  const tab = window.open('about:blank', '_blank');
  clearErrors();
  say('info', 'Starting a test sign-in with the settings in this form…');
  const result = editing
    ? await api('POST', `${providerPath(editing.id)}/test-sign-in`, { oidc: collect().oidc })
    : await api('POST', '/admin/authentication/test-sign-in', collect());
  if (result.status === 200 || result.status === 201) {
    if (tab) {
      tab.opener = null;
      tab.location.href = result.body.authorizationUrl;
    } else location.assign(result.body.authorizationUrl);
    say('info', 'Test sign-in opened in a new tab. Nothing is saved and nobody is signed in.');
    return;
  }
  tab?.close();
  if (result.body?.fields) {
    const count = Object.keys(result.body.fields).length;
    say(
      'error',
      `Test not started: ${plural(count, 'field')} to fix.`,
      showFieldErrors(result.body.fields),
    );
    return;
  }
  say('error', `Test not started: ${refusal(result)}`);
}

form.addEventListener('submit', save);
form.addEventListener('input', updateDirty);
form.addEventListener('change', updateDirty);
document.getElementById('discard').addEventListener('click', discard);
document.getElementById('test-sign-in').addEventListener('click', () => void testSignIn());
window.addEventListener('beforeunload', (event) => {
  if (leaving || !isDirty()) return;
  event.preventDefault();
  event.returnValue = '';
});
// Links of this page (Your account, API) ask first; the browser's own prompt covers the rest.
document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
  if (!link || link.getAttribute('href').startsWith('#') || link.target === '_blank') return;
  if (!isDirty()) return;
  if (window.confirm('You have unsaved changes. Leave this page without saving them?')) {
    leaving = true;
    return;
  }
  event.preventDefault();
});
recheckSessionOnRestore(() => {
  form.hidden = true;
  document.getElementById('providers-panel').hidden = true;
  document.getElementById('log-panel').hidden = true;
}, '/admin');
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
// Copy buttons of the form and of the providers list (rows are drawn again after each change).
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
  if (button) void copy(button);
});
document.getElementById('provider-add').addEventListener('click', addProvider);
document.getElementById('provider-close').addEventListener('click', () => void editMain());
providerId.addEventListener('input', () => {
  if (editing?.isNew) document.getElementById('redirectUri').value = previewRedirectUri();
});

void init();
