// Downloads created in the browser (Blob + object URL): nothing is sent anywhere.
import { $ } from './dom.js';

export function saveBlob(filename, blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function saveText(filename, text, type = 'text/plain') {
  saveBlob(filename, new Blob([text], { type: `${type};charset=utf-8` }));
}

export function saveJSON(filename, value) {
  saveText(filename, JSON.stringify(value, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(/** @type {Float64Array} */ (v)) : v), 2) + '\n', 'application/json');
}

/** One CSV field (RFC 4180 quoting). Cells that a spreadsheet would run as a formula get a quote prefix. */
export function csvField(value) {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : (Number.isNaN(value) ? '' : String(value))) : String(value);
  if (typeof value !== 'number' && (/^[=@\t\r]/.test(s) || /^[+-](?![\d.])/.test(s))) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCSV(header, rows) {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

// Styles Plot would put in a <style> element (the page's CSP allows no inline styles, so the page
// gets them from styles.css and the exported files get them here).
const EXPORT_STYLE = `svg{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#fff}text,tspan{white-space:pre}`;

/** Serialise a chart's SVG as a standalone file: white background, the styles, a <title>. */
export function svgText(svg, title) {
  const clone = svg.cloneNode(true);
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
  const width = svg.getAttribute('width');
  const height = svg.getAttribute('height');
  const style = document.createElementNS('http://www.w3.org/2000/svg', 'style');
  style.textContent = EXPORT_STYLE;
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', width);
  bg.setAttribute('height', height);
  bg.setAttribute('fill', '#ffffff');
  const t = document.createElementNS('http://www.w3.org/2000/svg', 'title');
  t.textContent = title;
  clone.prepend(t, style, bg);
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(clone);
}

/** Render a chart's SVG to a PNG Blob at `scale`x resolution. */
export function svgToPng(svg, title, scale = 2) {
  const text = svgText(svg, title);
  const width = Number(svg.getAttribute('width'));
  const height = Number(svg.getAttribute('height'));
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      const g = canvas.getContext('2d');
      g.fillStyle = '#ffffff';
      g.fillRect(0, 0, canvas.width, canvas.height);
      g.drawImage(img, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the PNG could not be created'))), 'image/png');
    };
    img.onerror = () => { URL.revokeObjectURL(url); reject(new Error('the chart could not be rendered to PNG')); };
    img.src = url;
  });
}

/** Download buttons (SVG, PNG) for the chart inside `figure`. */
export function chartDownloads(getSvg, basename, title) {
  const wrap = document.createElement('div');
  wrap.className = 'downloads';
  const svgButton = document.createElement('button');
  svgButton.type = 'button';
  svgButton.className = 'small';
  svgButton.textContent = 'Download SVG';
  svgButton.setAttribute('aria-label', `Download ${title} as SVG`);
  svgButton.addEventListener('click', () => saveText(`${basename}.svg`, svgText(getSvg(), title), 'image/svg+xml'));
  const pngButton = document.createElement('button');
  pngButton.type = 'button';
  pngButton.className = 'small';
  pngButton.textContent = 'Download PNG';
  pngButton.setAttribute('aria-label', `Download ${title} as PNG`);
  pngButton.addEventListener('click', async () => {
    try {
      saveBlob(`${basename}.png`, await svgToPng(getSvg(), title));
    } catch (error) {
      const status = $('#status');
      if (status) status.textContent = error.message;
    }
  });
  wrap.append(svgButton, pngButton);
  return wrap;
}
