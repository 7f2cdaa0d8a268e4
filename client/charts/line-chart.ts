// A line chart as inline SVG (no scripts): series of points, horizontal reference lines (an SLO, a
// target) and a vertical marker (a breaking point), on linear axes from zero with round ticks. Pure.
import { round } from '../../common/round';

export const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface ChartPoint {
  x: number;
  y: number;
  /** Drawn as a hollow point (e.g. a step that missed the SLO). */
  miss?: boolean;
}
export interface ChartSeries {
  name: string;
  cls: string; // CSS class of the line and its points
  points: ChartPoint[];
}
export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  hLines?: { y: number; label: string; cls: string }[];
  marker?: { x: number; label: string };
  markers?: { x: number; label: string }[]; // several vertical markers (e.g. the runs that changed something)
  width?: number;
  height?: number;
}

const PAD = { left: 56, right: 16, top: 12, bottom: 36 };

/** A scale from [lo, hi] to [from, to]; a zero-width domain maps to the middle. */
export function scale(lo: number, hi: number, from: number, to: number): (v: number) => number {
  return (v) => round(hi === lo ? (from + to) / 2 : from + ((v - lo) / (hi - lo)) * (to - from), 1);
}

/** Round tick values from 0 to the first at or above max (at most five steps). */
export function ticks(max: number): number[] {
  if (!(max > 0)) return [0];
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const n = Math.ceil(max / step - 1e-9);
  return Array.from({ length: n + 1 }, (_, i) => round(i * step, 6));
}

interface Axis {
  at: (v: number) => number;
  ticks: number[];
}

function axes(o: LineChartOptions, w: number, h: number, x: Axis, y: Axis): string {
  const mid = (PAD.top + h - PAD.bottom) / 2;
  const grid = y.ticks
    .map((t) => `<line class="grid" x1="${PAD.left}" x2="${w - PAD.right}" y1="${y.at(t)}" y2="${y.at(t)}"></line>`)
    .concat(y.ticks.map((t) => `<text class="tick" x="${PAD.left - 4}" y="${y.at(t) + 4}" text-anchor="end">${esc(t)}</text>`))
    .concat(x.ticks.map((t) => `<text class="tick" x="${x.at(t)}" y="${h - PAD.bottom + 14}" text-anchor="middle">${esc(t)}</text>`));
  return (
    grid.join('') +
    `<line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${h - PAD.bottom}"></line>` +
    `<line class="axis" x1="${PAD.left}" x2="${w - PAD.right}" y1="${h - PAD.bottom}" y2="${h - PAD.bottom}"></line>` +
    `<text x="${(PAD.left + w - PAD.right) / 2}" y="${h - 4}" text-anchor="middle">${esc(o.xLabel)}</text>` +
    `<text x="12" y="${mid}" transform="rotate(-90 12 ${mid})" text-anchor="middle">${esc(o.yLabel)}</text>`
  );
}

export function lineChart(o: LineChartOptions): string {
  const w = o.width ?? 520;
  const h = o.height ?? 240;
  const all = o.series.flatMap((s) => s.points);
  const markers = [...(o.marker ? [o.marker] : []), ...(o.markers ?? [])];
  const xs = all.map((p) => p.x).concat(markers.map((m) => m.x));
  const yTicks = ticks(Math.max(1e-9, ...all.map((p) => p.y), ...(o.hLines ?? []).map((l) => l.y)) * 1.05);
  const xTicks = ticks(Math.max(1e-9, ...xs));
  const x = scale(0, xTicks[xTicks.length - 1], PAD.left, w - PAD.right);
  const y = scale(0, yTicks[yTicks.length - 1], h - PAD.bottom, PAD.top);
  const lines = o.series.map((s) => {
    const path = s.points.map((p) => `${x(p.x)},${y(p.y)}`).join(' ');
    // Points drawn one by one while they stay apart (a stress curve), not along a long series.
    const dots =
      s.points.length > 40
        ? ''
        : s.points
            .map(
              (p) =>
                `<circle class="${s.cls}${p.miss ? ' miss' : ''}" cx="${x(p.x)}" cy="${y(p.y)}" r="3">` +
                `<title>${esc(`${s.name}: ${p.y} at ${p.x}`)}</title></circle>`,
            )
            .join('');
    return `<polyline class="${s.cls}" points="${path}"></polyline>${dots}`;
  });
  const refs = (o.hLines ?? []).map(
    (l) =>
      `<line class="${l.cls}" x1="${PAD.left}" x2="${w - PAD.right}" y1="${y(l.y)}" y2="${y(l.y)}"></line>` +
      `<text x="${w - PAD.right - 2}" y="${y(l.y) - 3}" text-anchor="end">${esc(l.label)}</text>`,
  );
  const marker = markers
    .map(
      (m) =>
        `<line class="marker" x1="${x(m.x)}" x2="${x(m.x)}" y1="${PAD.top}" y2="${h - PAD.bottom}"></line>` +
        // The label on the side with more room.
        (x(m.x) > w / 2
          ? `<text class="marker" x="${x(m.x) - 3}" y="${PAD.top + 10}" text-anchor="end">${esc(m.label)}</text>`
          : `<text class="marker" x="${x(m.x) + 3}" y="${PAD.top + 10}">${esc(m.label)}</text>`),
    )
    .join('');
  const legend = o.series.map((s) => `<span class="${s.cls}">&#9632; ${esc(s.name)}</span>`).join(' ');
  return (
    `<figure class="chart"><figcaption>${esc(o.title)}</figcaption>` +
    `<svg width="${w}" height="${h}" role="img" aria-label="${esc(o.title)}">` +
    axes(o, w, h, { at: x, ticks: xTicks }, { at: y, ticks: yTicks }) +
    refs.join('') +
    marker +
    lines.join('') +
    `</svg><div class="legend">${legend}</div></figure>`
  );
}
