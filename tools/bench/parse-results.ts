import type { BenchResults } from './results';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The arrays each scenario's charts read: checked so a wrong file fails with its name, not deep in a chart. */
const REQUIRED: Record<BenchResults['scenario'], readonly string[]> = {
  sweep: ['runs', 'points'],
  history: ['cases'],
  connections: ['steps'],
  join: ['cases'],
};

/**
 * A results.json's text as BenchResults. The files come from our own scenario runners, so this
 * checks the scenario and the arrays the charts iterate, not every field.
 */
export function parseResults(text: string, source = 'results'): BenchResults {
  const parsed: unknown = JSON.parse(text);
  if (!isRecord(parsed) || typeof parsed.scenario !== 'string' || !(parsed.scenario in REQUIRED)) {
    throw new Error(`${source}: not a benchmark results file (scenario must be one of ${Object.keys(REQUIRED).join(', ')})`);
  }
  const scenario = parsed.scenario as BenchResults['scenario'];
  for (const key of REQUIRED[scenario]) {
    if (!Array.isArray(parsed[key])) throw new Error(`${source}: ${scenario} results without a "${key}" array`);
  }
  if (!isRecord(parsed.config)) throw new Error(`${source}: ${scenario} results without a "config" object`);
  return parsed as unknown as BenchResults;
}
