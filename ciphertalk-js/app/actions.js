// What the page sends about messages besides texts (docs/protocol.md "Client payloads"): edits and
// deletes of one's own messages, reactions, read receipts of the open room, typing while composing,
// and the self-destruct countdown and removal. `ctx` is what they use of the page (app/main.js).
import { countdownText, excerpt } from './render.js';
import { applyContent } from './history.js';

/**
 * @param {{state: object, $: (id: string) => HTMLElement, handle: (p: Promise<unknown>) => void,
 *   renderMessages: (roomId: string) => Promise<void>, setReplyTo: (m: object|null) => void,
 *   listChange: (fn: () => unknown) => Promise<unknown>}} ctx
 */
export function createActions({ state, $, handle, renderMessages, setReplyTo, listChange }) {
  /** The own message the next submit replaces (null: none), shown above the composer with its text in it. */
  function setEditing(m) {
    state.editing = m;
    $('editing').hidden = !m;
    $('editing-text').textContent = m ? `Editing your message: ${excerpt(m.body)}` : '';
    if (m) {
      setReplyTo(null);
      $('text').value = m.body;
      $('text').focus();
    }
  }

  /** Applies this user's own EDIT/DELETE/REACTION to the stored record and redraws the room. */
  async function applyOwn(roomId, id, c) {
    await state.records.updateMessage(roomId, id, (x) => applyContent(x, state.user, c));
    if (state.room === roomId) await renderMessages(roomId);
  }

  async function editMessage(m, body) {
    await state.client.edit(m.roomId, m.id, body);
    await applyOwn(m.roomId, m.id, { k: 'EDIT', b: body });
  }

  async function deleteMessage(m) {
    await state.client.deleteForEveryone(m.roomId, m.id);
    await applyOwn(m.roomId, m.id, { k: 'DELETE' });
    $('text').focus();
  }

  async function toggleReaction(m, emoji = '👍') {
    const add = !(m.reactions?.[emoji] ?? []).includes(state.user);
    await state.client.react(m.roomId, m.id, emoji, add);
    await applyOwn(m.roomId, m.id, { k: 'REACTION', e: emoji, f: add });
  }

  /** Read receipts for what the open, visible room shows (the SDK sends each sender one, once). */
  function markRead(roomId) {
    if (roomId !== state.room || document.visibilityState === 'hidden' || !state.client?.linked) return;
    handle(Promise.resolve(state.client.markRead(roomId)));
  }

  /** Typing notices while composing: a start at most every 3 s (receivers expire one after 6 s), a stop on send or clear. */
  const composing = { room: null, lastStart: 0 };
  function onComposing() {
    const roomId = state.room;
    if (!roomId || !state.client?.connected || !state.client.linked) return;
    const empty = $('text').value.trim() === '';
    if (empty) return stopComposing();
    if (composing.room === roomId && Date.now() - composing.lastStart < 3000) return;
    composing.room = roomId;
    composing.lastStart = Date.now();
    state.client.typing(roomId, true).catch(() => {});
  }
  function stopComposing() {
    if (!composing.room) return;
    const roomId = composing.room;
    composing.room = null;
    composing.lastStart = 0;
    state.client?.typing(roomId, false).catch(() => {});
  }

  /** Removes a self-destructed message from the records and the page. */
  async function forget(roomId, id) {
    await state.records?.removeMessage(roomId, id);
    // After the redraws queued before it, one of which may have read the message before its removal.
    await listChange(() => {
      state.shown.delete(id);
      document.querySelector(`#messages li[data-id="${CSS.escape(id)}"]`)?.remove();
    });
  }

  /** Once a second: the countdowns of self-destructing messages, and removal at expiry. */
  function tickExpiry() {
    const now = Date.now();
    for (const x of document.querySelectorAll('#messages .expires')) {
      const at = Number(x.dataset.expires);
      if (at <= now) {
        const li = x.closest('li');
        if (state.room && li?.dataset.id) handle(forget(state.room, li.dataset.id));
      } else {
        x.textContent = countdownText(at, now);
      }
    }
  }

  return { setEditing, editMessage, deleteMessage, toggleReaction, markRead, onComposing, stopComposing, forget, tickExpiry };
}
