/**
 * `mmprep agreement FILE --traces`: agreement of continuous annotation traces (src/agreement/traces/): the table or
 * --json, the gold trace (--gold), and the --min-alpha gate on each dimension's pooled Cronbach's alpha (exit 3).
 */
import { InputError } from '../common/errors.js';
import { openRecordSink, toJsonText } from '../common/records.js';
import { readTraces, type TraceTable } from '../agreement/traces/read.js';
import { defaultStep } from '../agreement/traces/grid.js';
import { analyzeTraceDimension, type TraceDimensionResult } from '../agreement/traces/analyze.js';
import { traceGoldRows, type TraceGoldAggregate } from '../agreement/traces/gold.js';
import { formatTracesText, type TraceRun } from '../agreement/traces/format.js';
import type { GridSeries } from '../agreement/traces/lags.js';
import { naList } from './run.js';
import type { GateCheck as RatingsGateCheck } from '../agreement/gate.js';

export interface TraceCliOptions {
  targetCol?: string;
  raterCol?: string;
  ratingCol?: string;
  dimensionCol?: string;
  timeCol?: string;
  delimiter?: string;
  na?: string;
  excludeRater?: string[];
  decimalComma?: boolean;
  traceStep?: number;
  maxGapS: number;
  maxLagS: number;
  alignLags: boolean;
  json: boolean;
  gold?: string;
  goldAggregate?: string;
  minAlpha?: number;
}

/** Options of the ratings path that mean nothing for traces: refused by name rather than ignored. */
export function refuseRatingsOptions(o: Record<string, unknown>): void {
  const bad: Array<[string, boolean]> = [
    ['--format wide', o.format === 'wide'],
    ['--categorical', o.categorical === true],
    ['--levels', o.levels !== undefined || o.levelsFile !== undefined],
    ['--scale', o.scale !== undefined],
    ['--occasion-col', o.occasionCol !== undefined],
    ['--order-col', o.orderCol !== undefined],
    ['--repeated', o.repeated === true],
    ['--report', o.report !== undefined],
    ['--min-icc', o.minIcc !== undefined || o.minIccTargets !== undefined],
    ['--alpha-metric', o.alphaMetric !== undefined],
    ['--bootstrap', typeof o.bootstrap === 'number' && o.bootstrap > 0],
    ['--tolerance', o.tolerance !== undefined],
  ];
  const hit = bad.filter(([, b]) => b).map(([n]) => n);
  if (hit.length)
    throw new InputError(`--traces does not take ${hit.join(', ')}: traces are numeric; their gate is --min-alpha (each dimension's pooled Cronbach's alpha)`);
  if (o.goldAggregate !== undefined && o.goldAggregate !== 'mean' && o.goldAggregate !== 'ewe') throw new InputError(`--traces --gold-aggregate takes mean or ewe, got '${o.goldAggregate}'`);
}

function stepOf(table: TraceTable, o: TraceCliOptions, file: string): { step: number; source: string } {
  const all = table.dimensions.flatMap((d) => d.traces.flatMap((row) => row.filter((t) => t !== null)));
  const s = defaultStep(all);
  if (s !== null && s > o.maxGapS) throw sparseSamplesError(s, o.maxGapS, table.columns.time, file);
  if (o.traceStep !== undefined) return { step: o.traceStep, source: '--trace-step' };
  if (s === null || !(s > 0)) throw new InputError('no trace has two samples: a trace needs samples at two or more times (or pass --trace-step)');
  return { step: s, source: 'the finest median sampling step among the traces' };
}

/**
 * Samples further apart than --max-gap-s in every trace: no trace can be interpolated, so any figure would come from
 * the few grid times that fall on a sample. The usual cause is milliseconds under a column named as seconds (`Time`:
 * a 40 ms joystick read as every 40 s gave a 10 000 s target, a clean rater diagnosed as reversed, exit 0).
 */
function sparseSamplesError(step: number, maxGap: number, column: string, file: string): InputError {
  return new InputError(
    `the finest median sampling step among the traces is ${step} s, over --max-gap-s ${maxGap} s: every two neighbouring samples would be a gap, so no trace can be resampled. Times in milliseconds in column '${column}', read as seconds? name it time_ms or '${column} (ms)' (a name ending in ms is read as milliseconds); if the samples really lie ${step} s apart, pass --max-gap-s above that`,
    { file },
  );
}

/** One --min-alpha check: the ratings gate's fields without its ICC target counts (src/agreement/gate.ts). */
type GateCheck = Pick<RatingsGateCheck, 'dimension' | 'figure' | 'value' | 'min' | 'passed' | 'reason'>;

function gateOf(dims: TraceDimensionResult[], min: number | undefined): { passed: boolean; checks: GateCheck[]; message: string } | null {
  if (min === undefined) return null;
  const checks = dims.map((d) => ({ dimension: d.dimension, figure: "pooled Cronbach's alpha", value: d.pooled.alpha, min, passed: d.pooled.alpha !== null && d.pooled.alpha >= min, reason: d.pooled.alpha_reason ?? null }));
  const failed = checks.filter((c) => !c.passed);
  const text = (c: GateCheck) => `${c.dimension}: ${c.figure} ${c.value === null ? `null (${c.reason})` : c.value.toFixed(3)} < ${min}`;
  return { passed: failed.length === 0, checks, message: failed.length ? `agreement gate failed: ${failed.map(text).join('; ')}` : '' };
}

async function writeTraceGold(path: string, table: TraceTable, grids: Array<{ used: GridSeries; k0: number[] }>, step: number, how: TraceGoldAggregate): Promise<void> {
  const csv = /\.csv$/i.test(path);
  const sink = await openRecordSink(path, csv ? 'csv' : 'jsonl');
  const skipped = { n: 0, targets: new Set<string>() };
  try {
    for (let i = 0; i < table.dimensions.length; i++)
      for (const row of traceGoldRows(table.dimensions[i], grids[i].used, grids[i].k0, step, how, skipped)) await sink.write(row);
    await sink.close();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  if (skipped.n)
    process.stderr.write(`mmprep agreement: warning: ${path}: ${skipped.n} grid time(s) not written: every rater present there has EWE weight 0 (r <= 0 with the others' mean) in target(s) ${[...skipped.targets].slice(0, 5).map((t) => `'${t}'`).join(', ')}\n`);
}

/** Reads, analyses, writes gold and prints; returns the gate's verdict (or null). */
export async function traceOutputs(file: string, o: TraceCliOptions, print: (t: string) => void | Promise<void>): Promise<{ passed: boolean; message: string } | null> {
  const table = await readTraces(file, { targetColumn: o.targetCol, raterColumn: o.raterCol, ratingColumn: o.ratingCol, dimensionColumn: o.dimensionCol, timeColumn: o.timeCol, delimiter: o.delimiter, decimalComma: o.decimalComma, naValues: naList(o.na), excludeRaters: o.excludeRater?.flatMap((v) => v.split(',').map((s) => s.trim())) });
  for (const n of table.notes) process.stderr.write(`mmprep agreement: ${file}: ${n}\n`);
  const { step, source } = stepOf(table, o, file);
  const opts = { step, maxGap: o.maxGapS, maxLag: o.maxLagS, align: o.alignLags };
  const analysed = table.dimensions.map((d) => {
    try {
      return analyzeTraceDimension(d, opts);
    } catch (e) {
      throw new InputError((e as Error).message, { file });
    }
  });
  const dims = analysed.map((a) => a.result);
  const run: TraceRun = { step_s: step, step_source: source, max_gap_s: o.maxGapS, max_lag_s: o.maxLagS, aligned: o.alignLags };
  const gate = gateOf(dims, o.minAlpha);
  if (o.gold) await writeTraceGold(o.gold, table, analysed.map((a) => ({ used: a.used, k0: a.grid.k0 })), step, (o.goldAggregate ?? 'mean') as TraceGoldAggregate);
  const json = { ok: gate === null || gate.passed, file, traces: { ...run, columns: table.columns }, dimensions: dims, gate, ...(gate && !gate.passed ? { error: gate.message, exit_code: 3 } : {}) };
  await print(o.json ? toJsonText(json) : formatTracesText(dims, run, gate ? (gate.passed ? 'gate passed' : gate.message) : null));
  return gate;
}
