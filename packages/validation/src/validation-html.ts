import type { RunView } from './validation.service.js';

const escape = (text: unknown) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
const fmt = (v: unknown, digits = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—');

/** A histogram of the paired IS differences (bps) as an SVG: bars left of 0 are episodes where the candidate was cheaper. */
export function isDiffHistogramSvg(diffs: readonly number[], width = 560, height = 200, bins = 30): string {
  if (diffs.length === 0) return '<p>No paired episodes.</p>';
  const lo = Math.min(...diffs);
  const hi = Math.max(...diffs);
  const span = hi - lo || 1;
  const counts = new Array<number>(bins).fill(0);
  for (const d of diffs) counts[Math.min(bins - 1, Math.floor(((d - lo) / span) * bins))] = (counts[Math.min(bins - 1, Math.floor(((d - lo) / span) * bins))] ?? 0) + 1;
  const max = Math.max(...counts);
  const pad = 30;
  const bw = (width - 2 * pad) / bins;
  const bars = counts
    .map((c, i) => {
      const h = ((height - 2 * pad) * c) / max;
      const x0 = lo + (span * i) / bins;
      return `<rect x="${(pad + i * bw).toFixed(1)}" y="${(height - pad - h).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${x0 + span / bins <= 0 ? '#2a7' : '#c54'}"><title>${fmt(x0)}…${fmt(x0 + span / bins)} bps: ${c}</title></rect>`;
    })
    .join('');
  const zero = lo < 0 && hi > 0 ? `<line x1="${(pad + ((0 - lo) / span) * (width - 2 * pad)).toFixed(1)}" x2="${(pad + ((0 - lo) / span) * (width - 2 * pad)).toFixed(1)}" y1="${pad / 2}" y2="${height - pad}" stroke="#333" stroke-dasharray="4 3"/>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="Distribution of candidate minus reference implementation shortfall, bps">${bars}${zero}<text x="${pad}" y="${height - 8}" font-size="11">${fmt(lo)} bps</text><text x="${width - pad}" y="${height - 8}" font-size="11" text-anchor="end">${fmt(hi)} bps</text></svg>`;
}

/** The evidence summary people read: gates, the IS-difference distribution, and the per-scenario table. */
export function renderValidationHtml(run: RunView, isDiffSample: readonly number[]): string {
  const report = (run.report ?? {}) as { perScenario?: Record<string, Record<string, number | null>>; references?: string[] };
  const gates = run.gates as Array<{ name: string; phase: string; value: number | null; interval: [number, number] | null; condition: string; message: string; dryRun: boolean }>;
  const scenarios = Object.entries(report.perScenario ?? {});
  const strategies = scenarios.length > 0 ? Object.keys(scenarios[0]![1]) : [];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Validation ${escape(run.model)}@${run.version}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:960px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.Successful{color:#185}.Failed,.Error{color:#b32}.Inconclusive{color:#a60}</style></head>
<body><h1>Validation of ${escape(run.model)} version ${run.version}</h1>
<p>Suite <b>${escape(run.suite.name)}@${run.suite.version}</b> · verdict <b class="${escape(run.phase)}">${escape(run.phase)}</b> · judged against ${escape((report.references ?? []).join(', ') || '—')} · ${run.progress.done}/${run.progress.total} shards · evidence sha256 <code>${escape(run.evidenceSha256 ?? '—')}</code></p>
${run.error ? `<p class="Error">Error: ${escape(run.error)}</p>` : ''}
<h2>Gates</h2><table><thead><tr><th>gate</th><th>phase</th><th>value</th><th>95% CI</th><th>condition</th><th>message</th></tr></thead><tbody>
${gates.map((g) => `<tr><td>${escape(g.name)}${g.dryRun ? ' (dry run)' : ''}</td><td class="${escape(g.phase)}">${escape(g.phase)}</td><td>${fmt(g.value)}</td><td>${g.interval ? `[${fmt(g.interval[0])}, ${fmt(g.interval[1])}]` : '—'}</td><td>${escape(g.condition)}</td><td>${escape(g.message)}</td></tr>`).join('\n')}
</tbody></table>
<h2>Implementation shortfall: candidate − ${escape(report.references?.[0] ?? 'reference')} (bps, per paired episode)</h2>${isDiffHistogramSvg(isDiffSample)}
<h2>Mean implementation shortfall by scenario (bps)</h2><table><thead><tr><th>scenario</th>${strategies.map((s) => `<th>${escape(s)}</th>`).join('')}</tr></thead><tbody>
${scenarios.map(([name, row]) => `<tr><td>${escape(name)}</td>${strategies.map((s) => `<td>${fmt(row[s])}</td>`).join('')}</tr>`).join('\n')}
</tbody></table></body></html>`;
}
