// QR codes of the web app (the TOTP otpauth: URI, a linking code, a safety number's scannable
// payload), encoded by qrcode-generator (pinned dependency, MIT, licenses/) and drawn as one SVG
// path built with DOM calls: no markup strings, so the strict CSP and textContent-only rule hold.
import { qrcode } from 'qrcode-generator';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * An SVG image of `text` as a QR code (error correction M, 4-module quiet zone), named `label`
 * for screen readers (the text alternative itself is shown next to it by the caller).
 * @param {string} text @param {string} label @returns {SVGSVGElement}
 */
export function qrSvg(text, label) {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const size = n + 8;
  let d = '';
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`;
  }
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('class', 'qr');
  svg.setAttribute('shape-rendering', 'crispEdges');
  const bg = document.createElementNS(SVG, 'rect');
  bg.setAttribute('width', String(size));
  bg.setAttribute('height', String(size));
  bg.setAttribute('fill', '#fff');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  svg.append(bg, path);
  return svg;
}

/** Replaces the children of `box` with the QR code of `text`. */
export function showQr(box, text, label) {
  box.replaceChildren(qrSvg(text, label));
}
