import { InvalidArgumentError, Option, type Command } from 'commander';
import { csvDialectNote, parseDelimiter, readTextFile, sniffFileDelimiter } from '../common/csv.js';
import { shellWord } from '../common/shell.js';
import { writeFileAtomic } from '../common/atomic.js';
import { GateError, InputError, isMmprepError } from '../common/errors.js';
import { openRecordSink, toJsonText } from '../common/records.js';
import { analyzeAgreement, type AgreementResult } from '../agreement/analyze.js';
import { formatAgreementText } from '../agreement/format.js';
import { evaluateGate, iccTargetsAloneText } from '../agreement/gate.js';
import { goldLabels, type GoldAggregate } from '../agreement/gold.js';
import { readRatings } from '../agreement/read.js';
import { renderReport } from '../agreement/report.js';
import { excludedText } from '../agreement/exclude.js';
import { shownWarnings } from '../agreement/typos.js';
import { ICC_TYPES, type IccType, type RatingsTable } from '../agreement/types.js';
import type { AlphaMetric } from '../agreement/alpha.js';
import { refuseRatingsOptions, traceOutputs } from './agreement-traces.js';
import { action, choiceOption, naList, numberOption, outputOf, parseScale, printJsonFailure, refuseUnwritableOutputs } from './run.js';

/**
 * --exclude-rater, repeatable; each value may list ids separated by commas, split by the reader unless the file has
 * the value as one id ('Smith, J': before, it was split and refused as two ids the file does not have).
 */
function collectIds(v: string, prev: string[] | undefined): string[] {
  if (v.trim() === '') throw new InvalidArgumentError('an empty rater id (give the id as the file writes it)');
  return [...(prev ?? []), v];
}

function parseDelimiterArg(v: string): string {
  try {
    return parseDelimiter(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

interface Opts {
  format: 'auto' | 'long' | 'wide';
  targetCol?: string;
  raterCol?: string;
  ratingCol?: string;
  dimensionCol?: string;
  orderCol?: string;
  delimiter?: string;
  decimalComma: boolean;
  na?: string;
  output?: string;
  out?: string;
  categorical: boolean;
  levels?: string;
  levelsFile?: string;
  occasionCol?: string;
  repeated: boolean;
  targetIcc: number;
  missing: 'drop' | 'model';
  bootstrap: number;
  seed: number;
  minItems?: number;
  tolerance?: number;
  json: boolean;
  report?: string;
  gold?: string;
  goldAggregate?: GoldAggregate | 'ewe';
  traces: boolean;
  timeCol?: string;
  traceStep?: number;
  maxGapS: number;
  maxLagS: number;
  alignLags: boolean;
  top: number;
  minIcc?: number;
  minIccTargets?: number;
  iccType: IccType;
  gateOn: 'point' | 'lower';
  minAlpha?: number;
  alphaMetric?: AlphaMetric;
  excludeRater?: string[];
  scale?: [number, number];
}

/** --levels a,b,c or --levels-file (one label per line); at least two distinct labels. */
async function readLevels(o: Opts): Promise<string[] | undefined> {
  if (o.levels !== undefined && o.levelsFile !== undefined) throw new InputError('give --levels or --levels-file, not both');
  let levels: string[] | undefined;
  if (o.levels !== undefined) levels = o.levels.split(',').map((l) => l.trim());
  if (o.levelsFile !== undefined) {
    let text: string;
    try {
      text = await readTextFile(o.levelsFile);
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`cannot read the levels file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: o.levelsFile });
    }
    levels = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  }
  if (levels === undefined) return undefined;
  const where = o.levelsFile ?? '--levels';
  if (levels.some((l) => l === '')) throw new InputError(`${where}: an empty label (write the labels lowest first, separated by commas)`);
  if (new Set(levels).size !== levels.length) throw new InputError(`${where}: a label is listed twice`);
  if (levels.length < 2) throw new InputError(`${where}: at least two labels are needed for an order`);
  return levels;
}

export function register(program: Command): void {
  const cmd = program
    .command('agreement')
    .description(
      'inter-rater agreement of a ratings CSV: ICC family (psych::ICC), Krippendorff\'s alpha, Fleiss\'/Cohen\'s kappa, ' +
        'per-rater and per-target diagnostics, gold labels, HTML report and a CI gate (exit 3)',
    )
    .argument('<file>', 'ratings CSV: long (target, rater, rating[, dimension][, order]) or wide (target, one column per rater)');
  addLayoutOptions(cmd);
  addAnalysisOptions(cmd);
  addOutputAndGateOptions(cmd);
  addTraceOptions(cmd);
  // two files are refused with how to combine them (commander's own line said only 'too many arguments')
  cmd.allowExcessArguments(true);
  cmd.action(
    action((file: string, o: Opts, c: Command) => {
      // --max-gap-s and --max-lag-s have defaults: given on the command line without --traces they would be ignored
      const given = (['maxGapS', 'maxLagS'] as const).filter((k) => c.getOptionValueSource(k) === 'cli');
      if (!o.traces && given.length) throw new InputError(`${given.map((k) => (k === 'maxGapS' ? '--max-gap-s' : '--max-lag-s')).join(' and ')} read continuous traces: add --traces`);
      return runAgreement(file, o, c.args);
    }),
  );
}

/** Continuous traces (FEELtrace, GTrace, CARMA, a joystick): src/agreement/traces/. */
function addTraceOptions(cmd: Command): void {
  cmd
    .option('--traces', 'the file holds continuous traces (target, rater, time, one rating column per dimension or dimension + rating): mean pairwise r and CCC, Cronbach\'s alpha, reaction lags, gold trace', false)
    .option('--time-col <name>', 'with --traces: the time column (default: time_s, t_s, time, timestamp, t, time_ms, t_ms; a name ending in ms is read as milliseconds)')
    .option('--trace-step <s>', 'with --traces: the resampling grid step in seconds (default: the finest median sampling step among the traces)', numberOption('--trace-step', { min: 1e-6 }))
    .option('--max-gap-s <s>', 'with --traces: two samples further apart than this are not interpolated between (missing)', numberOption('--max-gap-s', { min: 0 }), 1)
    .option('--max-lag-s <s>', 'with --traces: reaction lags are searched within plus or minus this', numberOption('--max-lag-s', { min: 0 }), 5)
    .option('--align-lags', 'with --traces: move each trace by its estimated lag before agreement and the gold trace', false);
}

/** How the ratings file is laid out: format, column names, delimiter, decimal comma (and -o, listed among them). */
function addLayoutOptions(cmd: Command): void {
  cmd
    .option('--format <format>', 'auto | long | wide (auto: long when the target and rater columns exist)', choiceOption('--format', ['auto', 'long', 'wide'] as const), 'auto')
    .option('--target-col <name>', "target id column (default 'target'; wide: the first column; 'session,target': several columns naming a target together)")
    .option('--rater-col <name>', "rater id column of long files (default 'rater')")
    .option('--rating-col <name>', "rating column of long files (default 'rating')")
    .option('--dimension-col <name>', "dimension column, one analysis per dimension (default 'dimension' when present)")
    .option('--order-col <name>', 'order/time/sequence column for drift (default: order, sequence, seq, time, t_s or timestamp when present)')
    .option('--delimiter <char>', 'field delimiter: one character or comma, semicolon, tab (default: sniffed from the header among , ; tab)', parseDelimiterArg)
    .option('--decimal-comma', "ratings are written with a decimal comma ('3,5')", false)
    .option('--na <values>', "cell values that mean a missing rating besides an empty cell and NA, comma-separated (e.g. 99,-1 or -)")
    .option('-o, --output <file>', 'write the table (or --json) to this file instead of stdout')
    .addOption(new Option('--out <file>', 'same as --output').hideHelp());
}

/** What the ratings are and how they are analysed: categories and levels, test-retest, ICC planning, bootstrap. */
function addAnalysisOptions(cmd: Command): void {
  cmd
    .option('--categorical', 'ratings are category labels (nominal alpha, kappas, AC1, majority gold labels)', false)
    .option('--levels <a,b,c>', 'ordered labels, lowest first (implies --categorical): weighted kappa, ordinal alpha and AC2 follow this order')
    .option('--scale <low,high>', 'the numeric rating scale\'s ends (e.g. 1,7): a rating outside is refused; the reversed-scale recode uses them', parseScale)
    .option('--levels-file <file>', 'the ordered labels, one per line (labels with commas)')
    .option('--occasion-col <name>', "occasion column of a test-retest design (default 'occasion' when present)")
    .option('--repeated', 'repeated (target, rater) rows are successive occasions (test-retest) instead of an error', false)
    .option('--target-icc <x>', 'planning: raters needed for the mean to reach this ICC (Spearman-Brown)', numberOption('--target-icc', { min: 0, max: 1 }), 0.75)
    .option('--missing <mode>', 'ICC with missing ratings: drop (incomplete targets, as pingouin) | model (REML on all ratings, as psych lmer=TRUE)', choiceOption('--missing', ['drop', 'model'] as const), 'drop')
    .option('--bootstrap <n>', 'bootstrap replicates for 95% CIs of alpha and the kappas (0 = none)', numberOption('--bootstrap', { min: 0, integer: true }), 0)
    .option('--seed <n>', 'bootstrap seed', numberOption('--seed', { min: 0, integer: true }), 1)
    .option('--exclude-rater <id>', 'leave this rater out of every figure, the gold labels and the report (repeat it, or ids separated by commas)', collectIds)
    .option('--min-items <n>', 'flag raters with fewer items (default max(5, 20% of the median rater))', numberOption('--min-items', { min: 0 }))
    .option('--tolerance <x>', 'percent agreement also counting ratings at most x apart as agreeing (irr::agree tolerance; --levels labels: x levels)', numberOption('--tolerance', { min: 0 }));
}

/** What is written (JSON, HTML report, gold labels, contested targets) and the CI gate. */
function addOutputAndGateOptions(cmd: Command): void {
  cmd
    .option('--json', 'print the result as JSON instead of the table', false)
    .option('--report <file.html>', 'write a self-contained HTML report')
    .option('--gold <file>', 'write gold labels with the raw ratings (.jsonl or .csv)')
    .option('--gold-aggregate <how>', 'mean | median | majority (default: mean for numbers, majority for labels); with --traces: mean | ewe (Evaluator Weighted Estimator)', choiceOption('--gold-aggregate', ['mean', 'median', 'majority', 'ewe'] as const))
    .option('--top <n>', 'contested targets listed in the table and JSON (0 = all)', numberOption('--top', { min: 0, integer: true }), 10)
    .option('--min-icc <x>', 'gate: exit 3 when a dimension\'s ICC is below x', numberOption('--min-icc', { min: -1, max: 1 }))
    .option('--min-icc-targets <n>', 'with --min-icc: also exit 3 when a dimension\'s ICC comes from fewer targets than N (icc.n_targets; default 30, after Koo & Li 2016; 0: not checked), as dataset validate', numberOption('--min-icc-targets', { min: 0, integer: true }))
    .option('--icc-type <type>', `ICC form the gate checks (${ICC_TYPES.join(', ')})`, choiceOption('--icc-type', ICC_TYPES), 'ICC2')
    .option('--gate-on <what>', 'point | lower (the lower 95% bound)', choiceOption('--gate-on', ['point', 'lower'] as const), 'point')
    .option('--min-alpha <x>', "gate: exit 3 when a dimension's Krippendorff's alpha is below x", numberOption('--min-alpha', { min: -1, max: 1 }))
    .option('--alpha-metric <metric>', 'alpha metric the gate checks (default: interval for numbers, nominal for labels)', choiceOption('--alpha-metric', ['nominal', 'ordinal', 'interval', 'ratio'] as const));
}

/** `mmprep agreement FILE`: the outputs, then the gate (exit 3); `--json` to stdout prints an object on bad input too. */
async function runAgreement(file: string, o: Opts, args: string[] = [file]): Promise<void> {
  let gate;
  try {
    if (args.length > 1) throw new InputError(severalFilesMessage(args));
    gate = await agreementOutputs(file, o);
  } catch (e) {
    if (o.json && outputOf(o) === undefined && isMmprepError(e)) printJsonFailure(e, { file, dimensions: [] }, 2);
    throw e;
  }
  if (gate && !gate.passed) throw new GateError(gate.message);
}

/**
 * `mmprep agreement a.csv b.csv`: one file is read. Joined into one (header once or repeated), a rater id in both is
 * one rater (said when the exports' raters differ, src/agreement/sessions.ts): the line says so and how to keep two
 * people apart.
 */
function severalFilesMessage(files: string[]): string {
  const shown = files.map((f) => shellWord(f));
  return (
    `agreement reads one ratings file, got ${files.length} (${shown.join(', ')}): join them into one (e.g. ${files.length === 2 ? `cat ${shown[0]} ${shown[1]}` : `cat ${shown.join(' ')}`} > all.csv; ` +
    `the repeated header rows are skipped), or run once per file. In one file an id is one rater: if two files each have a rater ` +
    `with the same id who are different people, give them ids of their own (e.g. 'lab2-r1'); one rater's second pass of the same targets is a test-retest (--repeated)`
  );
}

/** Reads and analyses the ratings, writes gold labels and the report, prints; returns the gate's verdict (or null). */
async function agreementOutputs(file: string, o: Opts): Promise<{ passed: boolean; message: string } | null> {
  if (o.gold && !/\.(jsonl|csv)$/i.test(o.gold)) throw new InputError(`--gold must end in .jsonl or .csv, got '${o.gold}'`);
  if (o.minIccTargets !== undefined && o.minIcc === undefined) throw new InputError(iccTargetsAloneText(o.minIccTargets));
  const output = outputOf(o);
  if (o.traces) refuseRatingsOptions(o as unknown as Record<string, unknown>);
  else if (o.goldAggregate === 'ewe') throw new InputError('--gold-aggregate ewe weighs continuous traces: it needs --traces');
  else if (o.timeCol !== undefined || o.traceStep !== undefined || o.alignLags) throw new InputError('--time-col, --trace-step and --align-lags read continuous traces: add --traces');
  await refuseUnwritableOutputs([o.gold, o.report, output]); // in the order they are written
  const print = output === undefined ? (t: string) => void process.stdout.write(t) : (t: string) => writeFileAtomic(output, t);
  if (o.traces) return traceOutputs(file, o, print);
  const table = await readTable(file, o);
  const result = analyzeAgreement(table, { missing: o.missing, bootstrap: o.bootstrap, seed: o.seed, minItems: o.minItems, iccType: o.iccType, targetIcc: o.targetIcc, tolerance: o.tolerance });
  for (const d of result.dimensions) for (const m of shownWarnings(d.warnings, d.n_raters)) process.stderr.write(`mmprep agreement: warning: ${file}: ${m}\n`);
  const gating = o.minIcc !== undefined || o.minAlpha !== undefined;
  const gate = gating ? evaluateGate(result, { minIcc: o.minIcc, minIccTargets: o.minIccTargets, iccType: o.iccType, gateOn: o.gateOn, minAlpha: o.minAlpha, alphaMetric: o.alphaMetric }) : null;
  if (o.gold) await writeGold(table, o.gold, o.goldAggregate as GoldAggregate | undefined);
  if (o.report) await writeFileAtomic(o.report, renderReport(table, result, { gate, top: Math.max(o.top, 25) }));
  await print(o.json ? toJsonText(jsonResult(result, gate, o.top)) : formatAgreementText(result, { top: o.top, gate }));
  return gate;
}

/** The ratings table as the options describe it, with the CSV dialect note and the reader's notes on stderr. */
async function readTable(file: string, o: Opts): Promise<RatingsTable> {
  const levels = await readLevels(o);
  if (o.scale && (o.categorical || levels)) throw new InputError('--scale declares the ends of a numeric scale; labels take their order from --levels');
  const table = await readRatings(file, {
    format: o.format,
    targetColumn: o.targetCol,
    raterColumn: o.raterCol,
    ratingColumn: o.ratingCol,
    dimensionColumn: o.dimensionCol,
    orderColumn: o.orderCol,
    categorical: o.categorical,
    delimiter: o.delimiter,
    decimalComma: o.decimalComma,
    naValues: naList(o.na),
    levels,
    occasionColumn: o.occasionCol,
    repeated: o.repeated,
    excludeRaters: o.excludeRater,
    excludeRaterLists: true,
    scale: o.scale,
  });
  if (table.excluded_raters) process.stderr.write(`mmprep agreement: ${file}: ${excludedText(table.excluded_raters)}\n`);
  if (o.delimiter === undefined) {
    const note = csvDialectNote(file, await sniffFileDelimiter(file), false);
    if (note) process.stderr.write(`mmprep agreement: ${note}\n`);
  }
  for (const n of table.notes ?? []) process.stderr.write(`mmprep agreement: ${file}: ${n}\n`);
  return table;
}

/** --gold: one record per target (.jsonl, or .csv with the nested fields as JSON text); ties are counted on stderr. */
async function writeGold(table: RatingsTable, gold: string, aggregate: GoldAggregate | undefined): Promise<void> {
  const csv = /\.csv$/i.test(gold);
  const sink = await openRecordSink(gold, csv ? 'csv' : 'jsonl');
  let ties = 0;
  try {
    for (const g of goldLabels(table, { aggregate })) {
      if (g.tie && g.label === null) ties++;
      await sink.write(csv ? { ...g, distribution: JSON.stringify(g.distribution), ratings: JSON.stringify(g.ratings), tied: JSON.stringify(g.tied) } : g);
    }
    await sink.close();
    if (ties) process.stderr.write(`mmprep agreement: ${gold}: ${ties} target(s) without a majority (tie): label null with label_reason, tied labels in 'tied'\n`);
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

/** --json: `ok` (false only when the gate failed, exit 3), the result with each dimension's contested count and its first --top targets (0 = all), and the gate. */
function jsonResult(result: AgreementResult, gate: ReturnType<typeof evaluateGate> | null, top: number): unknown {
  return {
    ok: gate === null || gate.passed,
    ...result,
    dimensions: result.dimensions.map((d) => ({
      ...d,
      n_contested: d.targets.filter((t) => t.contested).length,
      targets: top > 0 ? d.targets.slice(0, top) : d.targets,
    })),
    gate,
    // A failed gate's object carries the stderr line and the exit code, as dataset validate's and build's do (ttrial55:
    // `ok: false` alone, so a CI step reading agreement.json could not tell a failed gate from a refused input).
    ...(gate && !gate.passed ? { error: gate.message, exit_code: 3 } : {}),
  };
}
