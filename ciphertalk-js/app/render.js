// How one stored message looks in the room (DOM only, no state): sender and time, marks (edited,
// delivered, read), the quote of the message it answers, its text or "deleted" (or its file, drawn
// by app/files.js), reactions, the self-destruct countdown, and its buttons (Reply, React, and
// Edit / Delete for one's own). Text
// only through textContent, never markup.

export const excerpt = (text) => (text.length > 60 ? `${text.slice(0, 57)}…` : text);

/** "disappears in 9 s" (or min, h, days) until `expiresAt` (Unix ms). */
export function countdownText(expiresAt, now = Date.now()) {
  const s = Math.max(0, Math.ceil((expiresAt - now) / 1000));
  if (s < 120) return `disappears in ${s} s`;
  if (s < 7200) return `disappears in ${Math.round(s / 60)} min`;
  if (s < 172800) return `disappears in ${Math.round(s / 3600)} h`;
  return `disappears in ${Math.round(s / 86400)} days`;
}

/**
 * @param {object} m a record of app/history.js (or {error, t})
 * @param {object} [quoted] the record `m.replyTo` names, when it is in the room
 * @param {{reply: () => void, react: () => void, edit: () => void, remove: () => void, file?: () => HTMLElement}} actions
 *   the buttons' handlers, and for a file message (`m.file`) the element that shows it
 * @returns {HTMLLIElement}
 */
export function messageElement(m, quoted, actions) {
  const li = document.createElement('li');
  const meta = document.createElement('span');
  meta.className = 'meta';
  const time = new Date(m.t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (m.error) {
    li.className = 'msg error';
    meta.textContent = time;
    li.append(meta, m.error);
    return li;
  }
  li.className = `msg${m.mine ? ' mine' : ''}`;
  li.dataset.id = m.id;
  const marks = [`${m.mine ? 'You' : m.from} · ${time}`];
  if (m.edited && !m.deleted) marks.push('edited');
  if (m.mine && m.read?.length) marks.push(`read by ${m.read.join(', ')}`);
  else if (m.mine && m.delivered?.length) marks.push(`delivered to ${m.delivered.join(', ')}`);
  meta.textContent = marks.join(' · ');
  li.append(meta);
  if (m.replyTo) {
    const q = document.createElement('span');
    q.className = 'quote';
    q.textContent = quoted ? `↪ ${quoted.mine ? 'You' : quoted.from}: ${excerpt(quoted.deleted ? '(deleted)' : quoted.body)}` : '↪ an earlier message';
    li.append(q);
  }
  if (m.file && !m.deleted && actions.file) {
    li.append(actions.file()); // app/files.js: the image or the download link, with the name
  } else {
    const body = document.createElement('span');
    body.className = m.deleted ? 'body deleted' : 'body';
    body.textContent = m.deleted ? 'This message was deleted.' : m.body;
    li.append(body);
  }
  const reactions = Object.entries(m.reactions ?? {});
  if (reactions.length && !m.deleted) {
    const r = document.createElement('span');
    r.className = 'reactions';
    r.textContent = reactions.map(([e, users]) => `${e} ${users.length}`).join('  ');
    r.setAttribute('aria-label', `Reactions: ${reactions.map(([e, users]) => `${e} from ${users.join(', ')}`).join('; ')}`);
    li.append(r);
  }
  if (m.expiresAt && !m.deleted) {
    const x = document.createElement('span');
    x.className = 'expires';
    x.dataset.expires = String(m.expiresAt);
    x.textContent = countdownText(m.expiresAt);
    li.append(x);
  }
  if (!m.deleted) {
    const whose = `${m.mine ? 'your message' : m.from}: ${excerpt(m.body)}`;
    const row = document.createElement('span');
    row.className = 'actions';
    li.append(row);
    const button = (text, label, onClick) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'reply';
      b.dataset.action = text; // with the message's data-id: how focus finds it again after a redraw
      b.textContent = text;
      b.setAttribute('aria-label', label);
      b.addEventListener('click', onClick);
      row.append(b);
    };
    button('Reply', `Reply to ${whose}`, actions.reply);
    button('React 👍', `React with 👍 to ${whose}`, actions.react);
    if (m.mine) {
      button('Edit', `Edit ${whose}`, actions.edit);
      button('Delete', `Delete for everyone ${whose}`, actions.remove);
    }
  }
  return li;
}
