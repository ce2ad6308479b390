// The CipherTalk web app: sign in, rooms with unread counts, 1:1 and group chat, presence. It runs
// the JavaScript SDK in the page with its keys, sessions and history in IndexedDB (IdbStore, one
// database per user id), bundled by `npm run build` (esbuild) into web/dist/app.js.
import { CipherTalkClient, RequestFailedError } from '../src/index.js';
import { IdbStore } from '../src/idb-store.js';
import { accountSafetyNumber } from '../src/account.js';
import { importStoredAccountKey } from '../src/account-backup.js';
import { ChatRecords, applyContent } from './history.js';
import { excerpt, messageElement } from './render.js';
import { createActions } from './actions.js';
import { loadContacts, refreshDevices, wirePanels } from './panels.js';
import { showQr } from './qr.js';
import { FileViews, recordFile } from './files.js';

const $ = (id) => document.getElementById(id);
const LAST_USER = 'ciphertalk.user'; // only the user id; nothing secret in localStorage

const state = { client: null, store: null, records: null, user: null, room: null, presence: new Map(), config: null,
  shown: new Map(), replyTo: null, editing: null };

function setStatus(text, online = false) {
  $('status').textContent = text;
  $('status').classList.toggle('online', online);
}

/** Shows an error in the page (an alert region read out by screen readers), never a crash. */
function showAlert(text) {
  const p = document.createElement('p');
  p.textContent = text;
  $('alerts').append(p);
  while ($('alerts').children.length > 3) $('alerts').firstElementChild.remove();
}

function describe(e) {
  if (e instanceof RequestFailedError) {
    const known = {
      invalid_credentials: 'Wrong user name or password.',
      username_taken: 'That user name is taken.',
      AUTH_FAILED: 'Your session has expired: sign in again.',
      rate_limited: 'Too many attempts: wait a moment.',
      totp_required: 'This account has two-factor sign-in: enter the code from your authenticator app.',
      invalid_totp: 'That code is not right (or was already used): try the next one.',
    };
    return known[e.code] ?? `The server refused: ${e.message} (${e.code}).`;
  }
  return e?.message ? `${e.message}` : String(e);
}

async function config() {
  if (!state.config) {
    const res = await fetch('/config.json', { cache: 'no-store' });
    if (!res.ok) throw new Error(`no /config.json (${res.status}): is this page served by the CipherTalk server?`);
    state.config = await res.json();
  }
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return { httpUrl: `${location.origin}/`, wsUrl: `${proto}//${location.hostname}:${state.config.wsPort}${state.config.wsPath}` };
}

// ------------------------------------------------------------------ sign in

/**
 * This browser's device id for `userId`, kept in its database: 1 for an account created here (or a
 * database from before ids were kept), otherwise a random id from 2 to 99999, so that signing in to
 * an account whose first device is elsewhere never says `hello` as that device (the new id is
 * linked from it; the approving device refuses an id the account already has).
 */
async function deviceIdFor(store, register) {
  const kept = await store.get('web', 'deviceId');
  if (kept) return Number(new TextDecoder().decode(kept));
  const id = register || (await store.get('local', 'identity')) ? 1 : 2 + (crypto.getRandomValues(new Uint32Array(1))[0] % 99998);
  await store.put('web', 'deviceId', new TextEncoder().encode(String(id)));
  return id;
}

async function openClient(userId, { register = false } = {}) {
  state.store = await IdbStore.open({ name: `ciphertalk-${userId}` });
  state.records = new ChatRecords(state.store);
  await createClient(userId, await deviceIdFor(state.store, register));
}

async function createClient(userId, deviceId) {
  const { httpUrl, wsUrl } = await config();
  state.client = await CipherTalkClient.create({ userId, deviceId, httpUrl, wsUrl, store: state.store, oneTimePreKeys: 20 });
  state.user = userId;
  listen(state.client);
}

/**
 * Instead of linking: the account key from an export (account-backup.js) goes into this device's
 * store, and a new client on it certifies this device and publishes (the server refuses a
 * certificate under another account key: then the key is taken out again and linking goes on).
 */
async function useExportedKey(text, passphrase) {
  const old = state.client;
  await importStoredAccountKey(state.store, text, passphrase, state.user);
  state.client = null; // first, so the old client's 'closed' event does not reconnect
  await old.close().catch(() => {});
  await createClient(state.user, old.address.deviceId);
  try {
    await state.client.connect();
  } catch (e) {
    await state.store.delete('local', 'account');
    const failed = state.client;
    state.client = null;
    await failed.close().catch(() => {});
    await createClient(state.user, old.address.deviceId);
    await state.client.connect(); // back to the linking code
    throw e;
  }
  if (!state.client.linked) throw new Error('the key was stored but this device is still not linked');
  setStatus('Online', true);
  await enterChat();
}

async function start(userId, { password, register, totp } = {}) {
  setStatus('Connecting…');
  if (!state.client || state.user !== userId) await openClient(userId, { register });
  if (register) await state.client.register(password);
  if (password) await state.client.login(password, totp || undefined);
  await state.client.connect();
  localStorage.setItem(LAST_USER, userId);
  if (state.client.linked) await enterChat(); // else the linking view is up (onLinkingRequired)
}

// ------------------------------------------------------------------ linking this browser

/** The account has a device elsewhere: show this device's linking code (text and QR) to approve there. */
async function onLinkingRequired(client) {
  const code = await client.startLinking();
  if (state.client !== client) return;
  $('signin').hidden = true;
  $('chat').hidden = true;
  $('linking').hidden = false;
  $('signout').hidden = false;
  $('link-code').textContent = code.text;
  showQr($('link-qr'), code.qrPayload, `QR code of the linking code ${code.text}`);
  $('link-state').textContent = 'Waiting for approval on your other device…';
  $('link-confirm').hidden = true;
  $('link-continue').hidden = true;
  setStatus('Not linked yet');
}

function onLinkCompleted({ confirmationCode }) {
  $('link-state').textContent = 'This browser is linked to your account.';
  $('link-confirm').textContent = `Confirmation code ${confirmationCode}: your other device shows the same code. If it does not, sign out and tell the account's owner.`;
  $('link-confirm').hidden = false;
  $('link-qr').replaceChildren();
  $('link-continue').hidden = false;
  $('link-continue').focus();
  setStatus('Online', true);
}

function showSignIn(userId) {
  $('linking').hidden = true;
  $('signin').hidden = false;
  $('chat').hidden = true;
  $('signout').hidden = true;
  $('whoami').hidden = true;
  setStatus('Signed out');
  if (userId) $('user').value = userId;
  ($('user').value ? $('password') : $('user')).focus();
}

async function submitSignIn(register) {
  const form = $('signin-form');
  if (!form.reportValidity()) return;
  const userId = $('user').value.trim();
  const password = $('password').value;
  const totp = $('totp').value.trim();
  for (const b of form.querySelectorAll('button')) b.disabled = true;
  try {
    await start(userId, { password, register, totp });
    $('password').value = '';
    $('totp').value = '';
  } catch (e) {
    setStatus('Signed out');
    showAlert(describe(e));
    const client = state.client;
    state.client = null;
    if (client) await client.close().catch(() => {});
    state.store?.close();
    Object.assign(state, { client: null, store: null, records: null });
  } finally {
    for (const b of form.querySelectorAll('button')) b.disabled = false;
  }
}

async function signOut() {
  const client = state.client;
  state.client = null; // first, so its 'closed' event does not reconnect
  clearTimeout(retry.timer);
  retry.timer = null;
  await client?.close().catch(() => {});
  await state.store?.delete('local', 'token');
  state.store?.close();
  Object.assign(state, { client: null, store: null, records: null, room: null });
  files.clear();
  localStorage.removeItem(LAST_USER);
  showSignIn(state.user);
}

// ------------------------------------------------------------------ events

function listen(client) {
  client.on('linkingRequired', () => handle(onLinkingRequired(client)));
  client.on('linkCompleted', (e) => onLinkCompleted(e));
  client.on('linkFailed', (e) => showAlert(`Linking failed: ${describe(e.error)}`));
  // A device of this account linked (approved here or elsewhere) or revoked: an open device list is redrawn.
  const devicesChanged = (e) => { if (e.userId === state.user) handle(refreshDevices(panels)); };
  client.on('deviceLinked', devicesChanged);
  client.on('deviceRevoked', devicesChanged);
  client.on('expired', ({ roomId, messageId }) => handle(forget(roomId, messageId)));
  client.on('message', (m) => handle(onMessage(m)));
  client.on('undecryptable', (e) => handle(onUndecryptable(e)));
  // The SDK's events of other clients' contents, as the contents app/history.js applyContent reads.
  const change = (roomId, sender, c) => handle(onContent({ roomId, sender, content: c }));
  client.on('edited', (e) => change(e.roomId, e.sender, { k: 'EDIT', tg: e.messageId, b: e.body }));
  client.on('deleted', (e) => change(e.roomId, e.sender, { k: 'DELETE', tg: e.messageId }));
  client.on('reaction', (e) => change(e.roomId, e.sender, { k: 'REACTION', tg: e.messageId, e: e.emoji, f: e.added }));
  client.on('receipt', (e) => change(e.roomId, e.from, { k: `RECEIPT_${e.status}`, ids: [e.messageId] }));
  client.on('typing', (e) => change(e.roomId, { userId: e.userId, deviceId: e.deviceId }, { k: 'TYPING', f: e.typing }));
  client.on('room', ({ room }) => room && handle(rememberRoom(room).then(renderRooms)));
  client.on('presence_event', (f) => f.presence && setPresence(f.presence));
  client.on('closed', (e) => {
    if (state.client !== client) return; // signed out, or replaced
    scheduleReconnect(client, `Disconnected (${e.code})`);
  });
  client.on('error', (e) => showAlert(`Delivery stopped: ${describe(e)}`));
}

const retry = { timer: null, delayMs: 1000 };

/** Reconnects with backoff (1 s doubling to 30 s) until it works, the token is refused, or the user signs out. */
function scheduleReconnect(client, why) {
  if (retry.timer || state.client !== client) return;
  setStatus(`${why}: reconnecting in ${Math.round(retry.delayMs / 1000)} s…`);
  retry.timer = setTimeout(async () => {
    retry.timer = null;
    if (state.client !== client) return;
    try {
      await client.connect();
      retry.delayMs = 1000;
      setStatus('Online', true);
      await refreshPresence();
      await renderRooms();
    } catch (e) {
      if (e instanceof RequestFailedError && e.code === 'AUTH_FAILED') {
        showAlert(describe(e));
        await signOut();
        return;
      }
      retry.delayMs = Math.min(retry.delayMs * 2, 30000);
      scheduleReconnect(client, 'Cannot reach the server');
    }
  }, retry.delayMs);
}

function handle(promise) {
  promise.catch((e) => showAlert(`Something went wrong: ${describe(e)}`));
}

/** What app/actions.js uses of this page. */
const { setEditing, editMessage, deleteMessage, toggleReaction, markRead, onComposing, stopComposing, forget: forgetRecord, tickExpiry } = createActions({
  state, $, handle: (p) => handle(p), renderMessages: (roomId) => renderMessages(roomId), setReplyTo: (m) => setReplyTo(m),
  listChange: (fn) => listChange(fn) });

/** Received files: verified downloads through the SDK, kept as object URLs until the message goes. */
const files = new FileViews((attachment, type) => state.client.downloadAttachment(attachment, { type }));
const forget = (roomId, id) => {
  files.forget(id);
  return forgetRecord(roomId, id);
};

/** What the sidebar's panels (app/panels.js) use of this page. */
const panels = { state, $, handle, showAlert, describe, openPrivate: (user) => openPrivate(user) };

async function onMessage(m) {
  const mine = m.sender.userId === state.user;
  const record = { id: m.messageId, roomId: m.roomId, from: m.sender.userId, device: m.sender.deviceId,
    body: m.body, t: m.sentAt, mine, kind: m.kind, replyTo: m.replyTo, expiresAt: m.expiresAt };
  if (m.attachment) record.file = recordFile(m.attachment);
  await state.records.addMessage(record);
  if (!(await state.records.room(m.roomId))) await rememberRoom(await state.client.room(m.roomId));
  if (m.roomId === state.room && document.visibilityState !== 'hidden') {
    await state.records.upsertRoom(m.roomId, { lastAt: m.sentAt });
    await showMessage(m.roomId, record);
    if (!mine) markRead(m.roomId);
    if (!$('safety').textContent) await showSafetyNumber(await state.records.room(m.roomId));
  } else if (!mine) {
    await state.records.countUnread(m.roomId, m.sentAt);
  }
  await renderRooms();
}

/**
 * Contents other than texts, from other clients (the SDK's edited, deleted, reaction, receipt and
 * typing events in the shape of the contents) (docs/protocol.md "Client payloads", receiver
 * rules): edits and deletes of the sender's own messages, reactions, delivered/read receipts of
 * this user's messages, typing. The page sends them too (editMessage, deleteMessage, toggleReaction,
 * markRead, composer typing).
 */
async function onContent({ roomId, sender, content: c }) {
  if (sender.userId === state.user) return; // own other devices: nothing of these to show here
  const who = sender.userId;
  let changed;
  if (c.k === 'TYPING') {
    if (roomId === state.room) showTyping(who, c.f === true);
    return;
  }
  if (['EDIT', 'DELETE', 'REACTION'].includes(c.k)) {
    changed = await state.records.updateMessage(roomId, c.tg, (m) => applyContent(m, who, c));
    if (changed?.deleted) files.forget(c.tg);
  } else if (c.k === 'RECEIPT_DELIVERED' || c.k === 'RECEIPT_READ') {
    for (const id of (Array.isArray(c.ids) ? c.ids : []).slice(0, 1000)) {
      const m = await state.records.updateMessage(roomId, id, (x) => applyContent(x, who, c));
      // A receipt can overtake the record of a message this page is still storing: keep it for send().
      if (m === undefined && sending.has(id)) sending.get(id).push({ who, c });
      changed = m || changed;
    }
  }
  if (changed && roomId === state.room) await renderMessages(roomId);
}

const typing = new Map(); // user -> timer
/** "bob is typing…" for at most 6 s after the last TYPING start (the content's own expiry). */
function showTyping(user, on) {
  clearTimeout(typing.get(user));
  typing.delete(user);
  if (on) typing.set(user, setTimeout(() => showTyping(user, false), 6000));
  const names = [...typing.keys()];
  $('typing').textContent = names.length === 0 ? '' : `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} typing…`;
}

async function onUndecryptable(e) {
  const who = e.sender ? `${e.sender.userId} (device ${e.sender.deviceId})` : 'an unknown sender';
  const why = e.error?.code === 'invalid_message'
    ? 'it was altered on the way, or was not encrypted for this device'
    : `${e.error?.code ?? 'error'}: ${e.error?.message ?? ''}`;
  const text = `A message from ${who} could not be decrypted and was dropped (${why}).`;
  showAlert(text);
  const roomId = e.stream?.startsWith('room:') ? e.stream.slice(5) : state.room;
  if (roomId) {
    await state.records.addMessage({ id: e.messageId ?? `err-${Date.now()}`, roomId, t: Date.now(), error: text });
    await showMessage(roomId, { error: text, t: Date.now() });
  }
}

// ------------------------------------------------------------------ rooms

function roomName(info) {
  if (info.kind === 'PRIVATE') return info.members.map((m) => m.user).find((u) => u !== state.user) ?? info.roomId;
  return info.name || info.roomId;
}

async function rememberRoom(info) {
  const peer = info.kind === 'PRIVATE' ? roomName(info) : undefined;
  return state.records.upsertRoom(info.roomId, { kind: info.kind, name: roomName(info), peer });
}

async function enterChat() {
  $('alerts').replaceChildren(); // what went wrong before signing in is over
  $('signin').hidden = true;
  $('linking').hidden = true;
  $('chat').hidden = false;
  $('signout').hidden = false;
  $('whoami').hidden = false;
  const fp = Array.from(state.client.identityKey.slice(32, 40), (b) => b.toString(16).padStart(2, '0')).join('');
  $('whoami').textContent = `Signed in as ${state.user}`;
  $('export-user').value = state.user;
  $('totp-user').value = state.user;
  $('whoami').title = `This device's identity key begins ${fp}`;
  $('whoami').dataset.identity = fp;
  setStatus('Online', true);
  const list = await state.client.request({ type: 'room_list' });
  for (const r of list.rooms ?? []) await rememberRoom(r);
  await refreshPresence();
  await renderRooms();
  handle(loadContacts(panels));
  const rooms = await state.records.rooms();
  const wanted = sessionStorage.getItem('ciphertalk.room');
  if (wanted && rooms.some((r) => r.roomId === wanted)) await openRoom(wanted, { focus: false });
}

async function refreshPresence() {
  const peers = (await state.records.rooms()).filter((r) => r.peer).map((r) => r.peer);
  if (peers.length === 0) return;
  try {
    const reply = await state.client.request({ type: 'presence_get', users: [...new Set(peers)] });
    for (const p of reply.presences ?? []) state.presence.set(p.user, p);
  } catch {
    // presence is a nicety: the chat works without it
  }
}

function setPresence(p) {
  state.presence.set(p.user, p);
  handle(renderRooms());
}

function presenceText(user) {
  const p = state.presence.get(user);
  if (!p) return '';
  if (p.status === 'ONLINE') return 'online';
  return p.lastSeen ? `last seen ${new Date(p.lastSeen).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}` : 'offline';
}

async function renderRooms() {
  const rooms = await state.records.rooms();
  const ul = $('rooms');
  const focused = document.activeElement?.dataset?.room;
  ul.replaceChildren(...rooms.map((r) => {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.room = r.roomId;
    b.className = 'room-link';
    if (r.roomId === state.room) b.setAttribute('aria-current', 'true');
    const name = document.createElement('span');
    if (r.peer) {
      const dot = document.createElement('span');
      const online = state.presence.get(r.peer)?.status === 'ONLINE';
      dot.className = `dot${online ? ' on' : ''}`;
      dot.setAttribute('aria-hidden', 'true');
      name.append(dot);
    }
    name.append(r.kind === 'GROUP' ? `# ${r.name}` : r.name);
    b.append(name);
    let label = `${r.kind === 'GROUP' ? 'Group' : 'Chat with'} ${r.name}`;
    if (r.peer && presenceText(r.peer)) label += `, ${presenceText(r.peer)}`;
    if (r.unread > 0) {
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = String(r.unread);
      b.append(badge);
      label += `, ${r.unread} unread`;
    }
    b.setAttribute('aria-label', label);
    b.addEventListener('click', () => handle(openRoom(r.roomId)));
    li.append(b);
    return li;
  }));
  if (focused) ul.querySelector(`[data-room="${CSS.escape(focused)}"]`)?.focus();
  if (state.room) {
    const r = rooms.find((x) => x.roomId === state.room);
    $('room-presence').textContent = r?.peer ? presenceText(r.peer) : '';
  }
}

/**
 * Accepts the invitation to a room someone else put this user in, if one is pending: opening it is
 * the user's consent (until then the server shows neither side the other's presence).
 */
async function acceptIfInvited(roomId) {
  const pending = await state.client.request({ type: 'invite_list' });
  if ((pending.rooms ?? []).some((r) => r.roomId === roomId)) await state.client.request({ type: 'invite_accept', room: roomId });
}

async function openRoom(roomId, { focus = true } = {}) {
  state.room = roomId;
  sessionStorage.setItem('ciphertalk.room', roomId);
  handle(acceptIfInvited(roomId).then(refreshPresence).then(renderRooms));
  const r = await state.records.upsertRoom(roomId, { unread: 0 });
  $('room-title').textContent = r.kind === 'GROUP' ? `# ${r.name}` : r.name;
  $('composer').hidden = false;
  $('chat').classList.add('in-room');
  setReplyTo(null);
  setEditing(null);
  for (const u of [...typing.keys()]) showTyping(u, false);
  await renderMessages(roomId);
  markRead(roomId);
  await renderRooms();
  await showSafetyNumber(r);
  if (focus) $('text').focus();
}

/**
 * The safety number of this account and the peer's (docs/protocol.md "Account safety number"),
 * from the account keys this device pinned: the same 60 digits the peer's device shows.
 */
async function showSafetyNumber(room) {
  $('verify').hidden = !room.peer;
  if (!room.peer) return;
  const own = await state.store.get('accounts', state.user);
  const theirs = await state.store.get('accounts', room.peer);
  if (!own || !theirs) {
    $('safety').textContent = '';
    $('safety-payload').textContent = '';
    $('safety-qr').replaceChildren();
    $('safety-help').textContent = `Send or receive a message first: the safety number needs ${room.peer}'s account key.`;
    return;
  }
  const sn = await accountSafetyNumber(state.user, own, room.peer, theirs);
  $('safety').textContent = sn.display;
  $('safety').dataset.digits = sn.digits;
  $('safety-payload').textContent = sn.scannableText;
  showQr($('safety-qr'), sn.scannableText, `QR code of the safety number with ${room.peer}`);
  $('safety-help').textContent = `Compare these digits with ${room.peer} in person or on a call: if they match, nobody is in the middle.`;
}

// The message list changes one step at a time. A redraw reads the room from IndexedDB and then replaces
// the list; a message appended while that read was under way would be wiped by it (stored, but not shown
// until the next redraw), and a self-destructed one put back. So appends, removals and redraws queue here,
// each after the last, and a redraw already waiting to start serves every later request for that room.
let listWork = Promise.resolve();
let redrawWaiting = null; // {roomId, done}: queued, not started

/** Runs `fn` (which changes the list) after every list change queued before it. */
function listChange(fn) {
  const done = listWork.then(fn);
  listWork = done.catch(() => {});
  return done;
}

/** Redraws the open room's messages from the records, once the list changes queued before it are done. */
function renderMessages(roomId) {
  if (redrawWaiting?.roomId === roomId) return redrawWaiting.done;
  const waiting = { roomId };
  waiting.done = listChange(() => {
    if (redrawWaiting === waiting) redrawWaiting = null;
    return state.room === roomId ? drawMessages(roomId) : undefined;
  });
  redrawWaiting = waiting;
  return waiting.done;
}

/** Shows `m` at the end of the list if its room is open, after the list changes queued before it. */
function showMessage(roomId, m) {
  return listChange(() => { if (state.room === roomId) appendMessage(m); });
}

async function drawMessages(roomId) {
  const list = $('messages');
  const messages = await state.records.messages(roomId);
  const keep = list.scrollHeight - list.scrollTop - list.clientHeight < 40; // at the bottom: stay there
  const top = list.scrollTop;
  // A keyboard user on a message's button keeps it across the redraw a receipt or an edit causes. Read
  // after the await, not before: a button pressed meanwhile (Edit moves the focus to the composer) must
  // not get the focus back.
  const focused = list.contains(document.activeElement) ? document.activeElement : null;
  const focusId = focused?.closest('li')?.dataset.id;
  const focusAction = focused?.dataset.action;
  list.replaceChildren();
  state.shown.clear();
  for (const m of messages) appendMessage(m, { scroll: false });
  if (keep) list.lastElementChild?.scrollIntoView({ block: 'end' }); else list.scrollTop = top;
  if (focusId && focusAction) {
    const again = [...list.querySelectorAll('li')].find((li) => li.dataset.id === focusId)
      ?.querySelector(`button[data-action="${CSS.escape(focusAction)}"]`);
    again?.focus({ preventScroll: true });
  }
}

function appendMessage(m, { scroll = true } = {}) {
  if (m.id && state.shown.has(m.id)) return; // already there (a re-render raced with this append)
  const li = messageElement(m, m.replyTo ? state.shown.get(m.replyTo) : undefined, {
    reply: () => setReplyTo(m),
    react: () => handle(toggleReaction(m)),
    edit: () => setEditing(m),
    remove: () => handle(deleteMessage(m)),
    file: () => files.element(m),
  });
  if (!m.error) state.shown.set(m.id, m);
  $('messages').append(li);
  if (scroll) li.scrollIntoView({ block: 'end' });
}

/** The message the next send answers (null: none), shown above the composer. */
function setReplyTo(m) {
  if (m && state.editing) { // a reply instead of the edit under way
    state.editing = null;
    $('editing').hidden = true;
    $('text').value = '';
  }
  state.replyTo = m;
  $('replying').hidden = !m;
  $('replying-text').textContent = m ? `Replying to ${m.mine ? 'yourself' : m.from}: ${excerpt(m.body)}` : '';
  if (m) $('text').focus();
}

/** Messages of this page between the server's `sent` and their record: receipts that came early. */
const sending = new Map();

async function send(text) {
  const roomId = state.room;
  const t = Date.now();
  const replyTo = state.replyTo?.id;
  const expiresInMs = Number($('expiry').value) || undefined;
  stopComposing();
  const id = await state.client.sendText(roomId, text, { ...(replyTo ? { replyTo } : {}), ...(expiresInMs ? { expiresInMs } : {}) });
  sending.set(id, []);
  setReplyTo(null);
  // The SDK puts t + expiresInMs (its own clock) inside the content: the countdown here may end a moment early.
  let m = { id, roomId, from: state.user, device: state.client.address.deviceId, body: text, t, mine: true, replyTo,
    expiresAt: expiresInMs ? t + expiresInMs : undefined };
  await state.records.addMessage(m);
  for (const early of sending.get(id)) m = applyContent(m, early.who, early.c) ?? m;
  sending.delete(id);
  if (m.read || m.delivered) await state.records.addMessage(m);
  await state.records.upsertRoom(roomId, { lastAt: t });
  if (state.room === roomId) {
    await showMessage(roomId, m);
    // A reply to this message can arrive before sendText resolves: draw it again with its quote.
    if ([...state.shown.values()].some((x) => x.replyTo === id)) await renderMessages(roomId);
  }
  await renderRooms();
}

async function openPrivate(user) {
  const roomId = await state.client.privateRoom(user);
  await rememberRoom(await state.client.room(roomId));
  await refreshPresence();
  await openRoom(roomId);
}

// ------------------------------------------------------------------ wiring

function wire() {
  $('signin-form').addEventListener('submit', (e) => { e.preventDefault(); handle(submitSignIn(false)); });
  $('register').addEventListener('click', () => handle(submitSignIn(true)));
  $('signout').addEventListener('click', () => handle(signOut()));
  $('back').addEventListener('click', () => {
    $('chat').classList.remove('in-room');
    state.room = null;
    sessionStorage.removeItem('ciphertalk.room');
    handle(renderRooms().then(() => $('rooms').querySelector('button')?.focus()));
  });
  $('new-dm').addEventListener('submit', (e) => {
    e.preventDefault();
    const user = $('dm-user').value.trim();
    handle((async () => {
      try {
        await openPrivate(user);
        $('dm-user').value = '';
      } catch (err) {
        showAlert(`Cannot open a chat with ${user}: ${describe(err)}`);
      }
    })());
  });
  $('new-group').addEventListener('submit', (e) => {
    e.preventDefault();
    const name = $('group-name').value.trim();
    const members = $('group-members').value.split(/[\s,]+/).filter(Boolean);
    handle((async () => {
      try {
        const roomId = await state.client.createGroup(name, members);
        await rememberRoom(await state.client.room(roomId));
        $('group-name').value = '';
        $('group-members').value = '';
        await openRoom(roomId);
      } catch (err) {
        showAlert(`Cannot create the group: ${describe(err)}`);
      }
    })());
  });
  wirePanels(panels);
  $('cancel-reply').addEventListener('click', () => setReplyTo(null));
  $('cancel-edit').addEventListener('click', () => {
    setEditing(null);
    $('text').value = '';
    $('text').focus();
  });
  $('link-continue').addEventListener('click', () => handle(enterChat()));
  $('restore-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const passphrase = $('restore-pass').value;
    handle(useExportedKey($('restore-text').value.trim(), passphrase).then(() => {
      $('restore-text').value = '';
      $('restore-pass').value = '';
    }, (err) => showAlert(`Cannot use that key: ${describe(err)}`)));
  });
  const text = $('text');
  text.addEventListener('input', onComposing);
  setInterval(tickExpiry, 1000);
  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    const body = text.value.trim();
    if (!body || !state.room) return;
    text.value = '';
    if (state.editing) {
      const m = state.editing;
      setEditing(null);
      stopComposing();
      handle(editMessage(m, body).catch((err) => {
        text.value = body;
        throw err;
      }));
      return;
    }
    handle(send(body).catch((err) => {
      text.value = body;
      throw err;
    }));
  });
  // Enter sends, Shift+Enter starts a new line, Escape drops the reply or edit under way.
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && (state.editing || state.replyTo)) {
      e.preventDefault();
      if (state.editing) text.value = '';
      setEditing(null);
      setReplyTo(null);
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $('composer').requestSubmit();
    }
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && state.room) {
      handle(state.records.upsertRoom(state.room, { unread: 0 }).then(renderRooms));
      markRead(state.room);
    }
  });
}

async function boot() {
  $('not-built').hidden = true;
  wire();
  const last = localStorage.getItem(LAST_USER);
  if (!last) return showSignIn();
  try {
    await openClient(last);
    if (!(await state.store.get('local', 'token'))) return showSignIn(last);
    await start(last);
  } catch (e) {
    showAlert(describe(e));
    const client = state.client;
    state.client = null;
    await client?.close().catch(() => {});
    showSignIn(last);
  }
}

boot();
