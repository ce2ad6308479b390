// File messages in the room (DOM and a cache of verified files, no other state). An image shows
// its thumbnail from the descriptor at once (a data: URL; it came inside the end-to-end
// encryption) and its full picture from an object URL of a Blob the SDK makes only after every
// chunk and the digest verified: automatically up to AUTO_LOAD_BYTES, after a click above. Other
// files are a link with name and size that downloads, verifies, then saves. A file that does not
// verify shows an error in its place, never a picture. Names only through textContent and alt.
import { Attachment, AttachmentIntegrityError, fromBase64Url, toBase64Url } from '../src/index.js';

/** Images up to this size (plaintext bytes) are fetched as soon as they are shown. */
export const AUTO_LOAD_BYTES = 1024 * 1024;
/** Raster types a page may show inline; anything else (SVG too) is a download. */
const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);

/** "512 B", "12.3 KB", "4.5 MB" (decimal units). */
export function sizeText(n) {
  if (n < 1000) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  do {
    v /= 1000;
    u++;
  } while (v >= 1000 && u < units.length - 1);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** The attachment of a stored record (its descriptor, base64url, kept in the sealed store), or undefined. */
export function recordAttachment(m) {
  if (!m.file) return undefined;
  try {
    return Attachment.decode(fromBase64Url(m.file));
  } catch {
    return undefined;
  }
}

/** What a record keeps of a message event's attachment. */
export const recordFile = (attachment) => toBase64Url(attachment.encode());

function failureText(name, e) {
  if (e instanceof AttachmentIntegrityError) {
    return `${name} did not verify (${e.reason}): it was changed on the server or on the way, and is not shown.`;
  }
  return `${name} could not be downloaded: ${e?.message ?? e}`;
}

/**
 * The files of the open page: `element(record)` draws one (again after every re-render, from the
 * cache), `forget(id)` and `clear()` release object URLs. Downloads go through `download(attachment,
 * type)`, the SDK's `client.downloadAttachment`.
 */
export class FileViews {
  #download;
  #cache = new Map(); // message id -> {status: 'loading'|'ready'|'failed', url?, error?}
  #nodes = new Map(); // message id -> the container drawn last

  /** @param {(attachment: Attachment, type: string) => Promise<Blob>} download */
  constructor(download) {
    this.#download = download;
  }

  /** The element of a file message (`m.file` set), filled now and again whenever its download moves on. */
  element(m) {
    const box = document.createElement('div');
    box.className = 'file';
    this.#nodes.set(m.id, box);
    const a = recordAttachment(m);
    if (!a) {
      box.textContent = `${m.body} (a file this page cannot read)`;
      return box;
    }
    const inline = a.isImage && INLINE_TYPES.has(a.mimeType);
    if (inline && a.size <= AUTO_LOAD_BYTES && !this.#cache.has(m.id)) this.#load(m.id, a, inline);
    this.#fill(box, m.id, a, inline); // after #load: drawn as "verifying…" at once
    return box;
  }

  #load(id, a, inline) {
    const entry = { status: 'loading' };
    this.#cache.set(id, entry);
    this.#redraw(id, a, inline);
    // A file that is not shown inline becomes an opaque download: the page never renders it.
    const type = inline ? a.mimeType : 'application/octet-stream';
    return this.#download(a, type).then((blob) => {
      if (this.#cache.get(id) !== entry) return; // forgotten meanwhile
      Object.assign(entry, { status: 'ready', url: URL.createObjectURL(blob) });
    }, (e) => {
      Object.assign(entry, { status: 'failed', error: failureText(a.name, e) });
    }).finally(() => this.#redraw(id, a, inline));
  }

  #redraw(id, a, inline) {
    const box = this.#nodes.get(id);
    if (box?.isConnected) this.#fill(box, id, a, inline);
  }

  #fill(box, id, a, inline) {
    const entry = this.#cache.get(id);
    const size = sizeText(a.size);
    const parts = [];
    if (inline) {
      box.className = 'file image';
      if (entry?.status === 'ready') {
        const img = document.createElement('img');
        img.src = entry.url;
        img.alt = a.name;
        img.className = 'full';
        parts.push(img);
      } else if (a.thumbnail && entry?.status !== 'failed') {
        const img = document.createElement('img');
        let bin = '';
        for (const b of a.thumbnail) bin += String.fromCharCode(b);
        img.src = `data:image/jpeg;base64,${btoa(bin)}`;
        img.alt = `Preview of ${a.name}`;
        img.className = 'thumb';
        parts.push(img);
      }
      if (!entry && a.size > AUTO_LOAD_BYTES) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'reply';
        b.textContent = `Show full image (${size})`;
        b.setAttribute('aria-label', `Show the full image ${a.name}, ${size}`);
        b.addEventListener('click', () => this.#load(id, a, inline));
        parts.push(b);
      }
      const caption = document.createElement('span');
      caption.className = 'caption';
      caption.textContent = `${a.name} · ${size}${entry?.status === 'loading' ? ' · verifying…' : ''}`;
      parts.push(caption);
    } else {
      box.className = 'file other';
      const link = document.createElement('a');
      link.className = 'file-link';
      link.textContent = `${a.name} (${size})`;
      link.setAttribute('aria-label', `Download ${a.name}, ${size}`);
      link.href = entry?.status === 'ready' ? entry.url : '#';
      if (entry?.status === 'ready') link.download = a.name;
      link.addEventListener('click', (e) => {
        if (this.#cache.get(id)?.status === 'ready') return; // the browser saves the verified Blob
        e.preventDefault();
        if (this.#cache.get(id)?.status === 'loading') return;
        this.#load(id, a, inline).then(() => {
          if (this.#cache.get(id)?.status === 'ready') this.#nodes.get(id)?.querySelector('a')?.click();
        });
      });
      parts.push(link);
      if (entry?.status === 'loading') parts.push(' · verifying…');
    }
    if (entry?.status === 'failed') {
      const p = document.createElement('span');
      p.className = 'file-error';
      p.setAttribute('role', 'alert');
      p.textContent = entry.error;
      parts.push(p);
    }
    box.replaceChildren(...parts);
  }

  /** Releases a message's file (deleted or self-destructed). */
  forget(id) {
    const entry = this.#cache.get(id);
    if (entry?.url) URL.revokeObjectURL(entry.url);
    this.#cache.delete(id);
    this.#nodes.delete(id);
  }

  /** Releases every file (signing out). */
  clear() {
    for (const id of [...this.#cache.keys()]) this.forget(id);
    this.#nodes.clear();
  }
}
