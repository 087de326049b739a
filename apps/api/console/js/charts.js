// Small SVG charts drawn in the browser. Each has role="img" and a text summary as its accessible name; the
// numbers are also in a table beside every chart, so nothing is conveyed by the picture alone.
const NS = 'http://www.w3.org/2000/svg';
const COLOURS = { Successful: '#17703a', Failed: '#b0261c', Error: '#b0261c', Inconclusive: '#8a5300', default: '#0b5cad' };

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3));

function frame(width, height, label) {
  return svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label }, svg('title', {}, label));
}

/**
 * Horizontal bars, one per value, with an optional threshold line (dashed) and per-bar phase colour.
 * bars: [{ label, value (number|null), phase? }]; unit: shown on the axis.
 */
export function barChart({ label, bars, threshold = null, unit = '' }) {
  const rowH = 26;
  const left = 170;
  const width = 560;
  // Below the bars: one line for the axis ends, one for the threshold's label (so they never overlap).
  const height = bars.length * rowH + (threshold === null ? 34 : 48);
  const values = bars.map((b) => b.value).filter((v) => v !== null && Number.isFinite(v));
  if (threshold !== null) values.push(threshold);
  let lo = Math.min(0, ...values);
  let hi = Math.max(0, ...values);
  if (hi === lo) hi = lo + 1;
  const pad = (hi - lo) * 0.08;
  lo -= lo < 0 ? pad : 0;
  hi += pad;
  // 80 px on the right for the value written after a bar.
  const x = (v) => left + ((v - lo) / (hi - lo)) * (width - left - 80);
  const root = frame(width, height, label);
  bars.forEach((b, i) => {
    const y = 8 + i * rowH;
    root.append(svg('text', { x: left - 6, y: y + 15, 'text-anchor': 'end' }, b.label));
    if (b.value === null || !Number.isFinite(b.value)) {
      root.append(svg('text', { x: x(0) + 4, y: y + 15 }, 'no value'));
      return;
    }
    const x0 = x(Math.min(0, b.value));
    root.append(svg('rect', { x: x0, y: y + 3, width: Math.max(1, Math.abs(x(b.value) - x(0))), height: rowH - 8, fill: COLOURS[b.phase] ?? COLOURS.default }));
    root.append(svg('text', { x: x(Math.max(0, b.value)) + 4, y: y + 15 }, `${fmt(b.value)}${unit ? ` ${unit}` : ''}`));
  });
  const axisY = 8 + bars.length * rowH;
  root.append(svg('line', { x1: x(0), x2: x(0), y1: 4, y2: axisY, stroke: '#1b1f24' }));
  root.append(svg('text', { x: x(lo), y: axisY + 14 }, `${fmt(lo)}`), svg('text', { x: x(hi), y: axisY + 14, 'text-anchor': 'end' }, `${fmt(hi)} ${unit}`));
  if (threshold !== null) {
    root.append(svg('line', { x1: x(threshold), x2: x(threshold), y1: 4, y2: axisY, stroke: '#b0261c', 'stroke-dasharray': '5 3', 'stroke-width': 2 }));
    root.append(svg('text', { x: x(threshold), y: axisY + 30, fill: '#b0261c', 'text-anchor': 'middle' }, `threshold ${fmt(threshold)}`));
  }
  return root;
}

/**
 * A step line over time: points [{ at (ms), value }], y from 0 to yMax (e.g. canary weight, percent).
 */
export function stepChart({ label, points, yMax = 100, unit = '%' }) {
  const width = 560;
  const height = 180;
  const left = 40;
  const bottom = 24;
  const root = frame(width, height, label);
  const t0 = points.length > 0 ? points[0].at : 0;
  const t1 = Math.max(t0 + 1, points.length > 0 ? points[points.length - 1].at : 1);
  const x = (t) => left + ((t - t0) / (t1 - t0)) * (width - left - 10);
  const y = (v) => 8 + (1 - v / yMax) * (height - bottom - 8);
  for (const tick of [0, yMax / 2, yMax]) {
    root.append(svg('line', { x1: left, x2: width - 10, y1: y(tick), y2: y(tick), stroke: '#c9d1d9' }));
    root.append(svg('text', { x: left - 4, y: y(tick) + 4, 'text-anchor': 'end' }, `${tick}${unit}`));
  }
  if (points.length > 0) {
    let d = `M ${x(points[0].at)} ${y(points[0].value)}`;
    for (let i = 1; i < points.length; i++) d += ` H ${x(points[i].at)} V ${y(points[i].value)}`;
    root.append(svg('path', { d, fill: 'none', stroke: '#0b5cad', 'stroke-width': 2.5 }));
    for (const p of points) root.append(svg('circle', { cx: x(p.at), cy: y(p.value), r: 3, fill: '#0b5cad' }));
    const seconds = ((t1 - t0) / 1000).toFixed(1);
    root.append(svg('text', { x: left, y: height - 6 }, '0 s'), svg('text', { x: width - 10, y: height - 6, 'text-anchor': 'end' }, `${seconds} s`));
  }
  return root;
}

/** A chart with its visible caption. */
export function figure(caption, chart) {
  const fig = document.createElement('figure');
  const cap = document.createElement('figcaption');
  cap.textContent = caption;
  fig.append(cap, chart);
  return fig;
}

/** `<= 0.5` or { op, threshold } → the threshold number (null when there is none). */
export function thresholdOf(condition) {
  if (condition && typeof condition === 'object' && typeof condition.threshold === 'number') return condition.threshold;
  const match = typeof condition === 'string' ? /(-?\d+(?:\.\d+)?(?:e-?\d+)?)/i.exec(condition) : null;
  return match ? Number(match[1]) : null;
}
