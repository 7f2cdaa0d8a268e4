// Horizontal bar charts as inline SVG (no scripts), scaled to the largest value or target. Pure.
import { round } from '../../common/round';
import { esc } from './line-chart';

/** Two bars (before, after) and a target line, scaled to the largest of the three. */
export function barChart(label: string, before: number, after: number, target: number): string {
  const w = 320;
  const max = Math.max(before, after, target, 1e-9);
  const x = (v: number) => Math.round((v / max) * (w - 10));
  const bar = (y: number, v: number, cls: string, name: string) =>
    `<rect class="${cls}" x="0" y="${y}" width="${x(v)}" height="16"></rect><text x="${x(v) + 4}" y="${y + 12}">${name} ${esc(round(v, 1))}</text>`;
  return (
    `<figure><figcaption>${esc(label)}</figcaption><svg width="${w + 120}" height="52" role="img" aria-label="${esc(label)}">` +
    bar(4, before, 'before', 'before') +
    bar(26, after, 'after', 'after') +
    `<line class="target" x1="${x(target)}" x2="${x(target)}" y1="0" y2="46"></line></svg></figure>`
  );
}

/** One bar per named row (e.g. per load scenario) and an optional target line. */
export function scenarioBars(label: string, rows: { name: string; value: number }[], target: number | null): string {
  const w = 320;
  const max = Math.max(...rows.map((r) => r.value), target ?? 0, 1e-9);
  const x = (v: number) => Math.round((v / max) * (w - 10));
  const h = rows.length * 22 + 8;
  const bars = rows.map(
    (r, i) =>
      `<text x="0" y="${i * 22 + 16}">${esc(r.name)}</text>` +
      `<rect class="scenario" x="90" y="${i * 22 + 4}" width="${x(r.value)}" height="16"></rect>` +
      `<text x="${90 + x(r.value) + 4}" y="${i * 22 + 16}">${esc(round(r.value, 1))}</text>`,
  );
  const line = target === null ? '' : `<line class="target" x1="${90 + x(target)}" x2="${90 + x(target)}" y1="0" y2="${h}"></line>`;
  return (
    `<figure class="chart"><figcaption>${esc(label)}</figcaption><svg width="${w + 160}" height="${h}" role="img" aria-label="${esc(label)}">` +
    bars.join('') +
    line +
    `</svg></figure>`
  );
}
