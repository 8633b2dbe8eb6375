import { esc } from './html-text.js';

/**
 * Charts as inline SVG, drawn here rather than by a bundled charting library: two chart kinds
 * need a few dozen lines, the page stays a few kilobytes, carries no script (its Content Security
 * Policy forbids every script), and nothing in it can fetch anything. Every label is escaped;
 * each mark has a <title>, the browser's own tooltip.
 */

export interface Series {
  label: string;
  /** One value per x position; null: unknown (no mark). */
  values: (number | null)[];
  color: string;
}

export interface ChartOptions {
  /** Text under each x position. */
  xLabels: string[];
  series: Series[];
  /** Minor units to text. */
  format: (minor: number) => string;
  /** What the chart shows, for screen readers. */
  title: string;
}

const W = 760;
const H = 280;
const PAD = { left: 92, right: 16, top: 16, bottom: 40 };
const plotW = W - PAD.left - PAD.right;
const plotH = H - PAD.top - PAD.bottom;

/** Values stacked per x position (spending by category per month); only values ≥ 0. */
export function stackedBars(o: ChartOptions): string {
  const n = o.xLabels.length;
  const totals = o.xLabels.map((_, i) => o.series.reduce((t, s) => t + Math.max(0, s.values[i] ?? 0), 0));
  const { lo, hi, step } = niceScale(0, Math.max(1, ...totals));
  const y = (v: number) => PAD.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const slot = plotW / Math.max(1, n);
  const barW = Math.max(2, Math.min(56, slot * 0.7));
  const marks: string[] = [];
  o.xLabels.forEach((label, i) => {
    let base = 0;
    const x = PAD.left + slot * i + (slot - barW) / 2;
    for (const s of o.series) {
      const v = s.values[i] ?? 0;
      if (v <= 0) continue;
      marks.push(
        `<rect x="${r(x)}" y="${r(y(base + v))}" width="${r(barW)}" height="${r(y(base) - y(base + v))}" fill="${s.color}"><title>${esc(`${label} · ${s.label}: ${o.format(v)}`)}</title></rect>`,
      );
      base += v;
    }
  });
  return frame(o, axisY(lo, hi, step, y, o.format) + xAxis(o.xLabels, (i) => PAD.left + slot * i + slot / 2) + marks.join(''));
}

/** One line per series (balances over time); a null value breaks the line. */
export function lines(o: ChartOptions): string {
  const all = o.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const { lo, hi, step } = niceScale(Math.min(0, ...all), Math.max(1, ...all));
  const y = (v: number) => PAD.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const n = o.xLabels.length;
  const x = (i: number) => PAD.left + (n <= 1 ? plotW / 2 : (plotW * i) / (n - 1));
  const marks: string[] = [];
  for (const s of o.series) {
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) marks.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${run.join(' ')}"/>`);
      run = [];
    };
    s.values.forEach((v, i) => {
      if (v === null) return flush();
      run.push(`${r(x(i))},${r(y(v))}`);
      marks.push(`<circle cx="${r(x(i))}" cy="${r(y(v))}" r="3" fill="${s.color}"><title>${esc(`${s.label} · ${o.xLabels[i]}: ${o.format(v)}`)}</title></circle>`);
    });
    flush();
  }
  const zero = lo < 0 ? `<line class="zero" x1="${PAD.left}" x2="${W - PAD.right}" y1="${r(y(0))}" y2="${r(y(0))}"/>` : '';
  return frame(o, axisY(lo, hi, step, y, o.format) + zero + xAxis(o.xLabels, x) + marks.join(''));
}

function frame(o: ChartOptions, body: string): string {
  const legend = o.series.map((s) => `<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${s.color}"/></svg> <bdi>${esc(s.label)}</bdi></li>`).join('');
  return `<figure><svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(o.title)}" xmlns="http://www.w3.org/2000/svg">${body}</svg><ul class="legend">${legend}</ul></figure>`;
}

/**
 * Bounds and gridline step that read well: the step is 1, 2 or 5 times a power of ten (in minor
 * units, so 2000.00 rather than 1307.41), the bounds whole steps around the data, 0 included.
 */
export function niceScale(min: number, max: number): { lo: number; hi: number; step: number } {
  const raw = Math.max(1, (max - min) / 4);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * power).find((s) => s >= raw)!;
  return { lo: Math.floor(min / step) * step, hi: Math.max(Math.ceil(max / step) * step, Math.floor(min / step) * step + step), step };
}

/** A labelled gridline at every step from lo to hi. */
function axisY(lo: number, hi: number, step: number, y: (v: number) => number, format: (v: number) => string): string {
  const out: string[] = [];
  for (let v = lo; v <= hi; v += step) {
    const yy = r(y(v));
    out.push(
      `<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${yy}" y2="${yy}"/><text class="tick" x="${PAD.left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${esc(format(v))}</text>`,
    );
  }
  return out.join('');
}

/** x labels, thinned so they never overlap (about 70 px each). */
function xAxis(labels: string[], x: (i: number) => number): string {
  const every = Math.max(1, Math.ceil(labels.length / Math.floor(plotW / 70)));
  return labels.map((l, i) => (i % every === 0 ? `<text class="tick" x="${r(x(i))}" y="${H - PAD.bottom + 18}" text-anchor="middle">${esc(l)}</text>` : '')).join('');
}

const r = (v: number) => Math.round(v * 10) / 10;
