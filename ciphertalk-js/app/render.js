// How one stored message looks in the room (DOM only, no state): sender and time, marks (edited,
// delivered, read), the quote of the message it answers, its text or "deleted", reactions, and a
// Reply button.

export const excerpt = (text) => (text.length > 60 ? `${text.slice(0, 57)}…` : text);

/**
 * @param {object} m a record of app/history.js (or {error, t})
 * @param {object} [quoted] the record `m.replyTo` names, when it is in the room
 * @param {() => void} onReply called by the Reply button
 * @returns {HTMLLIElement}
 */
export function messageElement(m, quoted, onReply) {
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
  const body = document.createElement('span');
  body.className = m.deleted ? 'body deleted' : 'body';
  body.textContent = m.deleted ? 'This message was deleted.' : m.body;
  li.append(body);
  const reactions = Object.entries(m.reactions ?? {});
  if (reactions.length && !m.deleted) {
    const r = document.createElement('span');
    r.className = 'reactions';
    r.textContent = reactions.map(([e, users]) => `${e} ${users.length}`).join('  ');
    r.setAttribute('aria-label', `Reactions: ${reactions.map(([e, users]) => `${e} from ${users.join(', ')}`).join('; ')}`);
    li.append(r);
  }
  if (!m.deleted) {
    const reply = document.createElement('button');
    reply.type = 'button';
    reply.className = 'reply';
    reply.textContent = 'Reply';
    reply.setAttribute('aria-label', `Reply to ${m.mine ? 'your message' : m.from}: ${excerpt(m.body)}`);
    reply.addEventListener('click', onReply);
    li.append(reply);
  }
  return li;
}
