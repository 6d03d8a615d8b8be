/**
 * Draws a ChartSpec into a PNG with Chart.js on a Skia canvas (@napi-rs/canvas): headless, no
 * browser, the native part shipped as a prebuilt npm package.
 */
import { existsSync } from 'node:fs';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { Chart, type ChartItem, type Plugin, registerables } from 'chart.js';
import type { ChartSpec } from './chart-data';

/** DejaVu is on the Debian images this runs on; elsewhere Skia's system fonts are used. */
const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
const FONT_FAMILY = 'DejaVu Sans, sans-serif';

/** What the background plugin draws with (Chart.js types its context with the DOM's, which this build's lib lacks). */
interface Fill2d {
  save(): void;
  restore(): void;
  fillStyle: string;
  fillRect(x: number, y: number, width: number, height: number): void;
}

/** A canvas starts transparent; PNG viewers would show the chart on black or a checkerboard. */
const whiteBackground: Plugin = {
  id: 'whiteBackground',
  beforeDraw: (chart: { ctx: Fill2d; width: number; height: number }) => {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

let ready = false;
function setUp(): void {
  if (ready) return;
  Chart.register(...registerables, whiteBackground);
  if (existsSync(FONT_DIR)) GlobalFonts.loadFontsFromDir(FONT_DIR);
  Chart.defaults.font.family = FONT_FAMILY;
  Chart.defaults.font.size = 13;
  Chart.defaults.color = '#333333';
  // One synchronous draw: no animation frames, no resize observer (there is no DOM).
  Chart.defaults.animation = false;
  Chart.defaults.responsive = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.devicePixelRatio = 1;
  ready = true;
}

/** The chart as PNG bytes, spec.width × spec.height pixels. */
export function renderPng(spec: ChartSpec): Buffer {
  setUp();
  const canvas = createCanvas(spec.width, spec.height);
  // Chart.js is typed for the DOM's 2D context; Skia's implements the same API.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- ChartItem names DOM types, which this build's lib (ES2022) does not have
  const item = canvas.getContext('2d') as unknown as ChartItem;
  const chart: { destroy(): void } = spec.config.type === 'line' ? new Chart(item, spec.config) : new Chart(item, spec.config);
  try {
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}
