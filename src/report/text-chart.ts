/**
 * Small charts drawn with text. `bar` and `sparkline` use Unicode block elements, for a terminal;
 * the plain report (a pipe, a file, NO_COLOR) draws none and shows the numbers alone.
 */

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const LEVELS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** A horizontal bar `value / max` of `width` cells, in eighths of a cell; nothing for 0. */
export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((Math.min(value, max) / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

/** One block per value, its height between the lowest and the highest value; a flat line when all are equal. */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return values.map((v) => (hi === lo ? LEVELS[3] : LEVELS[Math.round(((v - lo) / (hi - lo)) * (LEVELS.length - 1))])).join('');
}

export type Align = 'left' | 'right';

/** Columns padded to their widest cell; numbers right-aligned; trailing spaces trimmed. */
export function grid(rows: readonly (readonly string[])[], align: readonly Align[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, width(cell))));
  return rows
    .map((r) =>
      r
        .map((cell, i) => {
          const pad = ' '.repeat(widths[i]! - width(cell));
          return align[i] === 'right' ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

// Code points, not UTF-16 units: a payee with an emoji keeps its column straight.
const width = (s: string) => [...s].length;
