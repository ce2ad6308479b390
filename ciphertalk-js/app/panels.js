// The sidebar's account panels of the web app: two-factor sign-in (TOTP), contacts, the account's
// devices and the account key export. `ctx` is what they use of the page (app/main.js `panels`).
import { RequestFailedError } from '../src/errors.js';
import { exportStoredAccountKey } from '../src/account-backup.js';
import { showQr } from './qr.js';

// ------------------------------------------------------------------ two-factor sign-in

/** A REST call with this device's bearer token (the TOTP routes: server-guide.md "REST API"). */
async function authedPost({ state }, path, body) {
  const token = new TextDecoder().decode(await state.store.get('local', 'token'));
  const res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new RequestFailedError(json.error ?? `http_${res.status}`, json.message ?? `${path} answered ${res.status}`, { status: res.status });
  return json;
}

async function enrollTotp(ctx, password) {
  const { $ } = ctx;
  const r = await authedPost(ctx, '/api/totp/enroll', { password });
  $('totp-secret').textContent = r.secret;
  $('totp-uri').href = r.uri;
  showQr($('totp-qr'), r.uri, 'QR code of the two-factor key for your authenticator app');
  $('totp-enroll').hidden = true;
  $('totp-confirm').hidden = false;
  $('totp-code').focus();
}

async function confirmTotp(ctx, code) {
  const { $ } = ctx;
  const r = await authedPost(ctx, '/api/totp/confirm', { code });
  $('recovery-codes').replaceChildren(...r.recoveryCodes.map((c) => Object.assign(document.createElement('li'), { textContent: c })));
  $('totp-confirm').hidden = true;
  $('totp-done').hidden = false;
  $('totp-secret').textContent = '';
  $('totp-qr').replaceChildren();
}

// ------------------------------------------------------------------ contacts

export async function loadContacts(ctx) {
  const reply = await ctx.state.client.request({ type: 'contact_list' });
  renderContacts(ctx, reply.contacts ?? []);
}

function renderContacts(ctx, contacts) {
  const { state, $, handle, showAlert, describe, openPrivate } = ctx;
  $('contacts').replaceChildren(...contacts.map((c) => {
    const li = document.createElement('li');
    li.dataset.user = c.user;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = c.blocked ? `${c.user} (blocked)` : c.user;
    const button = (text, label, action) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'secondary';
      b.textContent = text;
      b.setAttribute('aria-label', label);
      b.addEventListener('click', () => handle(action().catch((e) => showAlert(`${label}: ${describe(e)}`))));
      return b;
    };
    li.append(name);
    if (!c.blocked) li.append(button('Chat', `Chat with ${c.user}`, () => openPrivate(c.user)));
    li.append(button(c.blocked ? 'Unblock' : 'Block', `${c.blocked ? 'Unblock' : 'Block'} ${c.user}`, async () => {
      await state.client.request({ type: 'contact_block', user: c.user, blocked: !c.blocked });
      await loadContacts(ctx);
    }));
    li.append(button('Remove', `Remove ${c.user} from contacts`, async () => {
      await state.client.request({ type: 'contact_remove', user: c.user });
      await loadContacts(ctx);
    }));
    return li;
  }));
}

/** This account's devices with published keys, from the directory (no one-time prekey is used up). */
async function loadDevices(ctx) {
  const { state, $ } = ctx;
  const reply = await state.client.request({ type: 'bundle_fetch', user: state.user, withOneTimePreKey: false });
  const own = `${state.user}.${state.client.address.deviceId}`;
  $('devices').replaceChildren(...(reply.bundles ?? []).map((b) => {
    const li = document.createElement('li');
    const id = Number(b.device.slice(state.user.length + 1));
    li.dataset.device = String(id);
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = `Device ${id}${b.device === own ? ' (this browser)' : ''}`
      + `${b.certificate ? ', certified by the account key' : ', not certified'}`;
    li.append(name);
    if (b.device !== own && b.certificate) li.append(removeButton(ctx, li, id));
    return li;
  }));
}

/** Redraws the device list if it is open (a device of the account was linked or revoked). */
export async function refreshDevices(ctx) {
  if (!ctx.$('devices-box').open) return;
  await loadDevices(ctx).catch((err) => ctx.showAlert(`Cannot list your devices: ${ctx.describe(err)}`));
}

const smallButton = (text, label) => {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'secondary';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  return b;
};

/**
 * "Remove" on another device of the account: destructive (the device is revoked for good), so a
 * first click only asks; "Yes, remove" signs and publishes the revocation and redraws the list.
 */
function removeButton(ctx, li, deviceId) {
  const { state, $, handle, showAlert, describe } = ctx;
  const remove = smallButton('Remove', `Remove device ${deviceId}`);
  remove.addEventListener('click', () => {
    const ask = document.createElement('span');
    ask.className = 'ask';
    ask.setAttribute('role', 'group');
    ask.setAttribute('aria-label', `Confirm removing device ${deviceId}`);
    const text = document.createElement('span');
    text.textContent = `Remove device ${deviceId}? It is signed out for good and gets no new messages.`;
    const yes = smallButton('Yes, remove', `Yes, remove device ${deviceId}`);
    const no = smallButton('Cancel', `Keep device ${deviceId}`);
    ask.append(text, yes, no);
    remove.replaceWith(ask);
    no.addEventListener('click', () => { ask.replaceWith(remove); remove.focus(); });
    yes.addEventListener('click', () => handle((async () => {
      yes.disabled = true;
      try {
        await state.client.revokeDevice(deviceId);
        await loadDevices(ctx);
        $('devices-state').textContent = `Device ${deviceId} was removed.`;
      } catch (err) {
        yes.disabled = false;
        showAlert(`Cannot remove device ${deviceId}: ${describe(err)}`);
      }
    })()));
    no.focus();
  });
  return remove;
}

/** Approves the new device showing `code`: the confirmation code to compare with its screen. */
async function approveDevice(ctx, code) {
  const { state, $ } = ctx;
  $('approve-confirm').hidden = true;
  const confirmationCode = await state.client.approveLink(code);
  $('approve-code').value = '';
  $('approve-confirm').textContent = `Approved. Confirmation code ${confirmationCode}: the new device must show the same code. If it does not, remove that device.`;
  $('approve-confirm').hidden = false;
  await loadDevices(ctx);
}

/** A refused approval in words: the code's own fault (typed error `invalid_link`), or the new device's absence. */
function describeApproval(err, describe) {
  if (err?.code === 'invalid_link') return `That code cannot be approved: ${err.message}`;
  if (err?.code === 'NOT_FOUND' || err?.code === 'not_found') return 'No device showing that code is connected: keep its linking screen open and try again.';
  return describe(err);
}

/** Wires the panels' forms and buttons. */
export function wirePanels(ctx) {
  const { state, $, handle, showAlert, describe } = ctx;
  $('totp-enroll').addEventListener('submit', (e) => {
    e.preventDefault();
    const password = $('totp-pass').value;
    $('totp-pass').value = '';
    handle(enrollTotp(ctx, password).catch((err) => showAlert(`Cannot set up two-factor sign-in: ${describe(err)}`)));
  });
  $('totp-confirm').addEventListener('submit', (e) => {
    e.preventDefault();
    const code = $('totp-code').value.trim();
    $('totp-code').value = '';
    handle(confirmTotp(ctx, code).catch((err) => showAlert(`Two-factor sign-in is not on: ${describe(err)}`)));
  });
  $('devices-box').addEventListener('toggle', () => {
    if ($('devices-box').open) handle(loadDevices(ctx).catch((err) => showAlert(`Cannot list your devices: ${describe(err)}`)));
  });
  $('approve-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const code = $('approve-code').value.trim();
    handle(approveDevice(ctx, code).catch((err) => showAlert(`Device not linked: ${describeApproval(err, describe)}`)));
  });
  $('add-contact').addEventListener('submit', (e) => {
    e.preventDefault();
    const user = $('contact-user').value.trim();
    handle((async () => {
      try {
        await state.client.request({ type: 'contact_add', user });
        $('contact-user').value = '';
        await loadContacts(ctx);
      } catch (err) {
        showAlert(`Cannot add ${user}: ${describe(err)}`);
      }
    })());
  });
  $('export-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const passphrase = $('export-pass').value;
    handle((async () => {
      try {
        $('export-out').value = await exportStoredAccountKey(state.store, state.user, passphrase);
        $('export-pass').value = '';
        $('export-out').focus();
        $('export-out').select();
      } catch (err) {
        showAlert(`Cannot export the account key: ${describe(err)}`);
      }
    })());
  });
}
