/**
 * PNG charts of a benchmark results.json (any scenario), written next to it.
 *
 *   node dist/tools/bench/charts.js .data/bench/sweep-<stamp>/results.json
 *
 * Library: Chart.js 4 drawing on @napi-rs/canvas. Chart.js is the most used and actively kept JS
 * charting library and still ships a CommonJS build (Vega 6 is ESM-only, which this CommonJS
 * project and its ts-jest tests could only load through workarounds); @napi-rs/canvas is a Skia
 * canvas whose native binary comes as a per-platform npm package, with no install script that
 * downloads anything, so rendering is headless and offline.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chartsFor } from './chart-data';
import { parseResults } from './parse-results';
import { renderPng } from './render-png';

/** Writes `<chart>.png` for each chart of the results file into its folder; returns their paths. */
export function renderCharts(resultsPath: string): string[] {
  const results = parseResults(readFileSync(resultsPath, 'utf8'), resultsPath);
  const dir = dirname(resultsPath);
  return chartsFor(results).map((spec) => {
    const file = join(dir, `${spec.name}.png`);
    writeFileSync(file, renderPng(spec));
    return file;
  });
}

if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: node dist/tools/bench/charts.js <results.json> [...]');
    process.exit(2);
  }
  try {
    for (const f of files) for (const png of renderCharts(f)) console.log(png);
  } catch (err) {
    // A wrong or unreadable file is a usage error: its message is enough, not a stack.
    console.error(`charts: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
