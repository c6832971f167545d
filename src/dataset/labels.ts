/**
 * Labels for dataset records from ratings files as `mmprep agreement` reads them (src/agreement readRatings): per
 * dimension the gold value (mean and median, or majority and distribution for categories), the raw ratings and the
 * dimension's agreement figures (ICC(2,1) with its 95 % CI from the ANOVA path, Krippendorff's alpha).
 * A target is attached to a segment either because its id IS the segment id, or through `session_id`, `start_s`,
 * `end_s` columns in the same file: the segment with the largest temporal IoU (at least 0.5) gets it.
 */
import { realpathSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { looksLikeDecimalComma, parseDecimal, readCsvText, readTextFile, thousandsPointMessage } from '../common/csv.js';
import { InputError } from '../common/errors.js';
import { editDistance } from '../batch/manifest.js';
import { readRatings } from '../agreement/read.js';
import { analyzeDimension, withDimensionVariants, type DimensionResult } from '../agreement/analyze.js';
import { goldLabels, type GoldLabel } from '../agreement/gold.js';
import type { RatingsTable } from '../agreement/types.js';
import { round7 } from './functionals.js';
import { fmtSecondsPair } from './transcripts/types.js';
import { readTraceIf, type TraceDimension } from './trace-read.js';

export interface Gold {
  mean?: number;
  median?: number;
  sd?: number | null;
  /** null when the top count is shared (a tie): a dataset must not pick one tied label silently. */
  majority?: string | null;
  /** Why `majority` is null ('tie: …'); present only then. */
  majority_reason?: string;
  distribution?: Record<string, number>;
}

export interface TargetLabel {
  target: string;
  gold: Gold;
  ratings: Array<{ rater: string; value: number | string }>;
}

export interface DimensionAgreement {
  icc2: number | null;
  icc2_ci95: [number | null, number | null];
  icc2_band: string | null;
  /** Targets the ICC was computed on: those every rater rated (the ANOVA path drops the others); null without an ICC. */
  icc2_n_targets: number | null;
  alpha: number | null;
  alpha_metric: string;
  n_targets: number;
  n_raters: number;
  reason: string | null;
}

export interface LabelDimension {
  /** Key in record.labels: the dimension name, prefixed by the file's stem when two files share a name. */
  key: string;
  file: string;
  dimension: string;
  categorical: boolean;
  agreement: DimensionAgreement;
  byTarget: Map<string, TargetLabel>;
  /** The agreement library's warnings for this dimension (e.g. a rater column without any rating, left out). */
  warnings: string[];
  /** A gold trace (trace-read.ts): records are labelled by its mean over their span, not by targets (byTarget empty). */
  trace?: TraceDimension;
}

export interface LabelTargetSpan {
  target: string;
  session_id: string;
  start_s: number;
  end_s: number;
}

export interface LabelSet {
  files: string[];
  dimensions: LabelDimension[];
  /** Targets with a time span, per session. */
  spansBySession: Map<string, LabelTargetSpan[]>;
  /** Files without session_id, start_s and end_s columns (their targets can only be record ids). */
  withoutSpans: string[];
  /** The labels file (as given) that first names each session_id, for notes about sessions the manifest lacks. */
  sessionFile: Map<string, string>;
  /** The ratings reader's notes per file (`ratings.csv: ignored 1 row(s) whose every cell is empty …`), as `mmprep agreement` prints them. */
  notes: string[];
  /** Sessions of the gold-trace files: session id -> the first file naming it and its sample count. */
  traceSessions?: Map<string, { file: string; samples: number }>;
}

/**
 * The agreement figures of a gold-trace dimension: none computed here (the raters' traces are not in the file), null
 * with the reason; `n_raters` the file's largest n_raters (0 without the column).
 */
function traceAgreement(d: TraceDimension): DimensionAgreement {
  return {
    icc2: null,
    icc2_ci95: [null, null],
    icc2_band: null,
    icc2_n_targets: null,
    alpha: null,
    alpha_metric: 'interval',
    n_targets: d.bySession.size,
    n_raters: d.max_raters ?? 0,
    reason: `a gold trace (${basename(d.file)}): the raters' agreement is measured on their own traces (mmprep agreement FILE --traces), not on the gold`,
  };
}

/** The label dimensions of a gold-trace file, and its sessions added to `sessions` (for unknown-session notes). */
function traceDimensions(trace: TraceDimension[], sessions: Map<string, { file: string; samples: number }>): LabelDimension[] {
  for (const d of trace)
    for (const [sid, x] of d.bySession) {
      const had = sessions.get(sid);
      sessions.set(sid, { file: had?.file ?? d.file, samples: (had?.samples ?? 0) + x.t.length });
    }
  return trace.map((d) => ({ key: d.dimension, file: d.file, dimension: d.dimension, categorical: false, agreement: traceAgreement(d), byTarget: new Map(), warnings: d.notes, trace: d }));
}

function agreementOf(r: DimensionResult): DimensionAgreement {
  const categorical = r.data_type === 'categorical';
  const metric = categorical ? 'nominal' : 'interval';
  const alpha = r.krippendorff_alpha[metric];
  const row = r.icc?.rows.find((x) => x.type === 'ICC2');
  const r7 = (v: number | null | undefined) => (v === null || v === undefined ? null : round7(v));
  return {
    icc2: r7(row?.icc),
    icc2_ci95: [r7(row?.ci95[0]), r7(row?.ci95[1])],
    icc2_band: row?.band_judged ?? null,
    icc2_n_targets: row && r.icc ? r.icc.n_targets : null,
    alpha: r7(alpha?.alpha),
    alpha_metric: metric,
    n_targets: r.n_targets,
    n_raters: r.n_raters,
    reason: categorical ? 'ICC is for numeric ratings' : (row?.reason ?? r.icc?.reason ?? alpha?.reason ?? null),
  };
}

/**
 * A dimension rated by one annotator: its gold labels are that rater's ratings, its agreement figures null with the
 * reason, and a warning says so (stderr, manifest.json, the card's known gaps); `dataset validate --min-icc` fails it.
 */
function singleRater(d: RatingsTable['dimensions'][number], categorical: boolean, format: 'long' | 'wide'): { agreement: DimensionAgreement; warnings: string[] } {
  const inDim = d.name ? `dimension '${d.name}'` : 'the file';
  const reason = `one rater ('${d.raters[0]}'): agreement needs two or more raters of the same targets`;
  const empty = (d.empty_raters ?? []).map((r) => (format === 'wide' ? `column '${r}' has no rating in any row` : `rater '${r}' has only empty ratings`));
  const warning =
    `${inDim} has one rater ('${d.raters[0]}'): its labels are that rater's ratings, its agreement figures (ICC, alpha) are null` +
    (empty.length ? `; ${empty.join(', ')} (check the export)` : "; add a second rater's ratings of the same targets to this file to measure agreement");
  const agreement: DimensionAgreement = {
    icc2: null,
    icc2_ci95: [null, null],
    icc2_band: null,
    icc2_n_targets: null,
    alpha: null,
    alpha_metric: categorical ? 'nominal' : 'interval',
    n_targets: d.targets.length,
    n_raters: 1,
    reason,
  };
  return { agreement, warnings: [warning] };
}

/** Gold labels with the raw ratings, from the agreement library's goldLabels (per dimension name). */
function labelsOf(table: RatingsTable): Map<string, Map<string, TargetLabel>> {
  const out = new Map<string, Map<string, TargetLabel>>();
  for (const g of goldLabels(table)) {
    if (g.n_ratings === 0) continue;
    let m = out.get(g.dimension);
    if (!m) out.set(g.dimension, (m = new Map()));
    const gold: Gold = table.categorical
      ? categoricalGold(g)
      : { mean: round7(g.mean as number), median: g.median as number, sd: g.sd === null ? null : round7(g.sd) };
    const ratings = Object.entries(g.ratings)
      .map(([rater, value]) => ({ rater, value }))
      .sort((a, b) => (a.rater < b.rater ? -1 : a.rater > b.rater ? 1 : 0));
    m.set(g.target, { target: g.target, gold, ratings });
  }
  return out;
}

/**
 * The label of a record onto which several rated targets fell (assignTargets): two raters' exports naming one span
 * differently (`s01_u0`, `clip0`), or a span rated twice under two ids. Each rater's rating is kept, and the gold is
 * recomputed from all of them as the agreement library computes a target's (labelsOf: mean, median, sample SD; for
 * categories the majority, null on a tie), so `dataset validate` finds the gold its ratings give. Before, the record
 * took the first target's label and the others' ratings were dropped and called unmatched (ttrial47 W2: s01's records
 * carried one rater of three). `target` stays the first target's id (the record's own id when it is rated).
 * One rater with ratings of two of the targets is refused (`rater` and both targets named): the record is one rated
 * unit, and two ratings of two spans (an utterance rated as two halves, each IoU 0.5) are not a rating of it; a mean
 * weighted by overlap would put a number no rater gave among the raw ratings, and has no meaning for categories.
 */
export function mergeTargetLabels(parts: readonly TargetLabel[], categorical: boolean, where: { record: string; key: string; file: string }): TargetLabel {
  if (parts.length === 1) return parts[0];
  const targetOf = new Map<string, string>();
  for (const p of parts)
    for (const r of p.ratings) {
      const other = targetOf.get(r.rater);
      if (other !== undefined)
        throw new InputError(
          `record ${where.record}: rater '${r.rater}' rated both '${other}' and '${p.target}' (${where.key}), and both fall on this record (temporal IoU at least 0.5): one rater's two ratings of two spans are not a rating of the record; if they rate the same span give them one target id, else rate the record's span as one, or build with --segments labels (a record per rated span)`,
          { file: where.file },
        );
      targetOf.set(r.rater, p.target);
    }
  const ratings = parts.flatMap((p) => p.ratings);
  const merged = labelsOf(singleTargetTable(ratings, categorical)).get('')?.get('merged');
  if (!merged) throw new Error('merged target labels: no gold');
  return { target: parts[0].target, gold: merged.gold, ratings: merged.ratings };
}

/** A ratings table of one target rated `ratings` (for goldLabels); categories sorted as readRatings sorts them. */
function singleTargetTable(ratings: ReadonlyArray<{ rater: string; value: number | string }>, categorical: boolean): RatingsTable {
  const sorted = [...ratings].sort((a, b) => (a.rater < b.rater ? -1 : a.rater > b.rater ? 1 : 0));
  const labels = [...new Set(sorted.map((r) => String(r.value)))];
  const numeric = labels.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  const categories = categorical ? labels.sort((a, b) => (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0)) : null;
  const n = sorted.length;
  const dimension = {
    name: '',
    targets: ['merged'],
    raters: sorted.map((r) => r.rater),
    target: new Int32Array(n),
    rater: Int32Array.from(sorted.map((_, i) => i)),
    value: Float64Array.from(sorted.map((r) => (categories ? categories.indexOf(String(r.value)) : (r.value as number)))),
    order: null,
    record: new Int32Array(n),
    categories,
  };
  return { file: '', format: 'long', categorical, columns: { target: 'target', rater: 'rater', rating: 'rating', dimension: null, order: null }, n_records: n, n_missing_cells: 0, dimensions: [dimension] };
}

/** A start_s/end_s cell as seconds: a plain decimal (a decimal comma under --decimal-comma); else refused naming the
 *  file, line and column (Number() had read '0x10' as 16 s). */
function spanTime(r: string[], c: number, header: string[], decimalComma: boolean | undefined, file: string, line: number): number {
  const v = parseDecimal(r[c] ?? '', decimalComma);
  if (Number.isFinite(v)) return v;
  const comma = looksLikeDecimalComma(r[c] ?? '') ? ' (a decimal comma? use --decimal-comma)' : '';
  throw new InputError(`${header[c]} must be a decimal number of seconds (as 2.69), got '${r[c] ?? ''}'${comma}`, { file, line, column: header[c] });
}

/** The majority label, or null with the agreement library's reason when the top count is tied. */
function categoricalGold(g: GoldLabel): Gold {
  if (g.tie) return { majority: null, majority_reason: g.label_reason ?? `tie: ${g.tied.map((v) => `'${v}'`).join(', ')} share the top count`, distribution: g.distribution };
  return { majority: String(g.majority), distribution: g.distribution };
}

/** target -> span from the file's session_id/start_s/end_s columns (null when the file lacks them). */
async function readSpans(file: string, targetColumn: string, opts: ReadLabelsOptions): Promise<LabelTargetSpan[] | null> {
  const table = readCsvText(await readTextFile(file), file, { delimiter: opts.delimiter });
  if (table.header.length === 0) return [];
  const head = table.header.map((h) => h.toLowerCase());
  const ci = (n: string) => head.indexOf(n.toLowerCase());
  const [cs, ca, cb] = [ci('session_id'), ci('start_s'), ci('end_s')];
  if (cs < 0 || ca < 0 || cb < 0) return null;
  const ct = ci(targetColumn) >= 0 ? ci(targetColumn) : 0;
  const seen = new Map<string, { span: LabelTargetSpan; line: number }>();
  const spanText = (x: LabelTargetSpan) => `'${x.session_id}' ${fmtSecondsPair(x.start_s, x.end_s).join('-')} s`;
  for (const { line, cells: r } of table.rows) {
    const target = (r[ct] ?? '').trim();
    if (target === '') continue;
    // the header again (exports joined): readRatings skips it with a note, or refuses it when its columns differ
    if (r.every((c, i) => (c ?? '').replace(/^\uFEFF/, '').trim().toLowerCase() === (table.header[i] ?? '').trim().toLowerCase())) continue;
    for (const c of [ca, cb]) {
      const thousands = thousandsPointMessage(r[c] ?? '', opts.decimalComma);
      if (thousands) throw new InputError(`${table.header[c]} ${thousands}`, { file, line, column: table.header[c] });
    }
    const [a, b] = [spanTime(r, ca, table.header, opts.decimalComma, file, line), spanTime(r, cb, table.header, opts.decimalComma, file, line)];
    if (b < a) throw new InputError(`end_s ${fmtSecondsPair(b, a)[0]} is before start_s ${fmtSecondsPair(b, a)[1]}`, { file, line });
    // A point (trial 2026-12-06 C1: --segments labels said "no audio or face features ... run mmprep extract", and
    // --segments utterance that the spans match no utterance): a rating is of a span of the recording.
    if (b === a) throw new InputError(`start_s and end_s are both ${fmtSecondsPair(a, b)[0]} s for target '${target}': a point in time, not the span a rating is of; give the start and end of the rated stretch (the utterance or clip), as the rater saw it`, { file, line });
    const session = (r[cs] ?? '').trim();
    // an empty cell said on its own line (trial 2026-12-06 C4: the next line of the target was blamed, "another session_id")
    if (session === '') throw new InputError(`empty ${table.header[cs]} for target '${target}': every row of a labels file with session_id, start_s and end_s columns names the session its span is in`, { file, line, column: table.header[cs] });
    const span = { target, session_id: session, start_s: a, end_s: b };
    const old = seen.get(target);
    if (old && (old.span.session_id !== span.session_id || old.span.start_s !== a || old.span.end_s !== b))
      throw new InputError(`target '${target}' is ${spanText(span)} here but ${spanText(old.span)} on line ${old.line}: one target, one span`, { file, line });
    if (!old) seen.set(target, { span, line });
  }
  return [...seen.values()].map((x) => x.span);
}

/** The columns that place a labels file's targets in time (readSpans). */
const SPAN_COLUMNS = ['session_id', 'start_s', 'end_s'];

export interface ReadLabelsOptions {
  /** true: every labels file holds category labels; a list: those files only (paths or base names as given to --labels). */
  categorical?: boolean | string[];
  targetColumn?: string;
  raterColumn?: string;
  ratingColumn?: string;
  /** CSV delimiter (default: sniffed per file). */
  delimiter?: string;
  /** Ratings and times written with a decimal comma. */
  decimalComma?: boolean;
  /** Codes for a missing rating besides '' and NA (`--na`). */
  naValues?: string[];
  /** The numeric scale's ends, lowest first (`--scale 1,9`): a rating outside is refused (readRatings). */
  scale?: [number, number];
}

/**
 * The same labels file given twice (as typed, or by another path to it) would add every dimension again as a second
 * key (`ratings.valence.2`) with the same values: refused, naming the file.
 */
function refuseRepeatedFiles(files: string[]): void {
  const seen = new Map<string, string>();
  for (const file of files) {
    let real = resolve(file);
    try {
      real = realpathSync(file);
    } catch {
      // a missing file is said by the reader, naming it
    }
    const first = seen.get(real);
    if (first !== undefined)
      throw new InputError(`given twice to --labels${first === file ? '' : ` (also as ${first})`}: each file's dimensions would become a second, identical set of label keys; give each labels file once`, { file });
    seen.set(real, file);
  }
}

/**
 * Whether `file` is read as category labels. `--categorical` alone applies to every labels file: a trial (2026-12-06,
 * W12) gave a 1-9 valence file beside an emotion-category file and got valence as majority votes (a tie null, where
 * the mean was 8); `--categorical FILE[,FILE]` names the files that hold categories.
 */
function categoricalFor(file: string, categorical: ReadLabelsOptions['categorical']): boolean {
  if (!Array.isArray(categorical)) return categorical === true;
  return categorical.some((c) => resolve(c) === resolve(file) || (basename(c) === c && basename(file) === c));
}

/** A --categorical list must name labels files given with --labels. */
function refuseUnknownCategorical(categorical: ReadLabelsOptions['categorical'], files: string[]): void {
  if (!Array.isArray(categorical)) return;
  for (const c of categorical)
    if (!files.some((f) => categoricalFor(f, [c])))
      throw new InputError(`--categorical names '${c}', which is not one of the --labels files (${files.map((f) => basename(f)).join(', ')}): name the labels files that hold category labels, or give --categorical alone for all of them`);
}

/** Said when every labels file is read as categories and this one's are numbers on a scale: gold is then a majority vote. */
function numbersAsCategoriesWarning(table: RatingsTable, file: string, files: string[], categorical: ReadLabelsOptions['categorical']): string | null {
  if (categorical !== true || files.length < 2) return null;
  for (const d of table.dimensions) {
    const cats = d.categories ?? [];
    if (cats.length < 5 || !cats.every((c) => /^-?\d+(\.\d+)?$/.test(c.trim()))) continue;
    return `its ratings of ${d.name ?? 'the dimension'} are ${cats.length} numbers (${cats[0]} to ${cats[cats.length - 1]}) read as categories, as --categorical applies to every labels file: gold is the majority rating, not the mean (a tie gives null); if only the other labels files hold categories, name them: --categorical ${files.filter((f) => f !== file).map((f) => basename(f)).join(',')}`;
  }
  return null;
}

export async function readLabelFiles(files: string[], opts: ReadLabelsOptions = {}): Promise<LabelSet> {
  refuseRepeatedFiles(files);
  refuseUnknownCategorical(opts.categorical, files);
  const dims: LabelDimension[] = [];
  const spansBySession = new Map<string, LabelTargetSpan[]>();
  const spanOf = new Map<string, LabelTargetSpan>();
  const withoutSpans: string[] = [];
  const sessionFile = new Map<string, string>();
  const notes: string[] = [];
  const traceSessions = new Map<string, { file: string; samples: number }>();
  for (const file of files) {
    const trace = await readTraceIf(file, { delimiter: opts.delimiter, decimalComma: opts.decimalComma });
    if (trace) {
      dims.push(...traceDimensions(trace, traceSessions));
      continue;
    }
    const table = await readRatings(file, {
      categorical: categoricalFor(file, opts.categorical),
      targetColumn: opts.targetColumn,
      raterColumn: opts.raterColumn,
      ratingColumn: opts.ratingColumn,
      delimiter: opts.delimiter,
      decimalComma: opts.decimalComma,
      naValues: opts.naValues,
      scale: opts.scale,
      // a wide file's span columns are read by readSpans, not raters (they were: 'non-numeric rating 2,690' in start_s)
      metaColumns: SPAN_COLUMNS,
      // one annotator's labels go into a release with agreement null and the reason (not refused, as mmprep agreement)
      minRaters: 1,
      excludeFlag: false,
    });
    notes.push(...(table.notes ?? []).map((n) => `${basename(file)}: ${n}`));
    const spans = await readSpans(file, table.columns.target, opts);
    if (spans === null) withoutSpans.push(file);
    for (const s of spans ?? []) {
      const old = spanOf.get(s.target);
      if (old && (old.session_id !== s.session_id || old.start_s !== s.start_s || old.end_s !== s.end_s))
        throw new InputError(`target '${s.target}' has another span than in an earlier labels file`, { file });
      if (old) continue;
      spanOf.set(s.target, s);
      const list = spansBySession.get(s.session_id) ?? [];
      list.push(s);
      spansBySession.set(s.session_id, list);
      if (!sessionFile.has(s.session_id)) sessionFile.set(s.session_id, file);
    }
    const fileDims = labelDimensions(table, file);
    const asCategories = numbersAsCategoriesWarning(table, file, files, opts.categorical);
    if (asCategories && fileDims.length) fileDims[0].warnings.push(`${basename(file)}: ${asCategories}`);
    // said once per file (with its first dimension): it concerns the file's target ids, not a dimension
    if (spans === null && fileDims.length) fileDims[0].warnings.push(idOnlyWarning(file));
    dims.push(...fileDims);
  }
  // Disambiguate keys that several files share.
  const count = new Map<string, number>();
  for (const d of dims) count.set(d.key, (count.get(d.key) ?? 0) + 1);
  for (const d of dims) if ((count.get(d.key) ?? 0) > 1) d.key = `${basename(d.file).replace(/\.[^.]*$/, '')}.${d.dimension}`;
  // Still equal (the same file stem twice): number them in the order given.
  const used = new Map<string, number>();
  for (const d of dims) {
    const k = used.get(d.key) ?? 0;
    used.set(d.key, k + 1);
    if (k > 0) d.key = `${d.key}.${k + 1}`;
  }
  for (const list of spansBySession.values()) list.sort((a, b) => a.start_s - b.start_s || a.end_s - b.end_s || (a.target < b.target ? -1 : 1));
  return { files, dimensions: dims, spansBySession, withoutSpans, sessionFile, notes, traceSessions };
}

/**
 * A labels file without session_id/start_s/end_s: its targets can only be record ids, and nothing checks that a record
 * id still names the utterance that was rated. A transcript re-segmented since (an utterance added at the start)
 * moved every rating onto the next utterance, exit 0, coverage 88.9 % (ttrial47 W3); with spans the build refuses that
 * (checkIdSpan). Said, with what to compare: manifest.json sessions[].transcript_sha256 of the release the ids came from.
 * Window ids of `--segments fixed` move the same way with LEN and HOP (ttrial59c: per-clip labels keyed `<clip>/w00000`).
 */
function idOnlyWarning(file: string): string {
  return `${basename(file)}: its targets are matched to records by id alone (no session_id, start_s, end_s columns), so nothing checks that a record id still names the utterance that was rated: a transcript changed since the ratings were made (an utterance added or split) moves them onto other utterances, as another --segments fixed LEN or HOP renumbers the windows (w00001 is the second second under fixed:1, 2-4 s under fixed:2); add the rated spans (session_id, start_s, end_s) for the build to check them, or compare manifest.json sessions[].transcript_sha256 with that of the release whose ids were rated`;
}

/**
 * The agreement library's warnings as `dataset build` can act on them: its few-targets and missed-targets advice names
 * `mmprep agreement` options (`--missing model`, `--exclude-rater`) that dataset build does not take ('unknown option').
 */
function buildWarning(w: DimensionResult['warnings'][number]): string {
  const noExclude = (m: string) => m.replace(/\(--exclude-rater [^)]*\)/, '(remove their rows from the labels file: dataset build takes no --exclude-rater)');
  if (w.code === 'rater_missed_targets') return noExclude(w.message.replace('--missing model keeps them', '`mmprep agreement <file> --missing model` keeps them'));
  if (w.code !== 'icc_few_targets' && w.code !== 'fleiss_few_targets') return noExclude(w.message); // e.g. a reversed scale's advice
  return noExclude(w.message.replace('--missing model uses every rating', '`mmprep agreement <file> --missing model` gives it over every rating (dataset build keeps the complete-target figure)'));
}

/**
 * The ICC(2,1) of a release uses only the targets every rater rated; when it dropped some but not more than it kept
 * (the library says nothing then), the record's `n_targets` (all rated targets) was the only count beside it: 9 of 18
 * targets used by an ICC read as 18. Said, with `icc2_n_targets` in the agreement figures.
 */
function iccDroppedWarnings(r: DimensionResult): string[] {
  const icc = r.icc;
  if (!icc || icc.method !== 'anova' || icc.n_targets_dropped === 0 || r.warnings.some((w) => w.code === 'icc_few_targets')) return [];
  const inDim = r.dimension ? ` of dimension '${r.dimension}'` : '';
  return [
    `the ICC(2,1)${inDim} uses the ${icc.n_targets} of ${r.n_targets} targets every rater rated (${icc.n_targets_dropped} with a missing rating dropped; agreement.icc2_n_targets); alpha and the gold labels use every rating`,
  ];
}

/** The label dimensions of one file: gold labels, agreement figures (null with the reason for one rater), warnings. */
function labelDimensions(table: RatingsTable, file: string): LabelDimension[] {
  const stem = basename(file).replace(/\.[^.]*$/, '');
  const gold = labelsOf(table);
  // As mmprep agreement: 'Valence' beside 'valence' is said (they become two label keys of the records).
  const results = table.dimensions.map((d) => (d.raters.length >= 2 ? analyzeDimension(d, {}, table.format) : null));
  withDimensionVariants(results.filter((r): r is DimensionResult => r !== null));
  return table.dimensions.map((d, i) => {
    const name = d.name === '' ? stem : d.name;
    const result = results[i];
    const { agreement, warnings } = result
      ? { agreement: agreementOf(result), warnings: [...result.warnings.map(buildWarning), ...iccDroppedWarnings(result)] }
      : singleRater(d, table.categorical, table.format);
    const byTarget = gold.get(d.name) ?? new Map();
    return { key: name, file, dimension: name, categorical: table.categorical, agreement, byTarget, warnings: warnings.map((w) => `${basename(file)}: ${w}`) };
  });
}

/** Temporal IoU of two intervals. */
export function iou(a0: number, a1: number, b0: number, b1: number): number {
  const inter = Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
  const uni = Math.max(a1, b1) - Math.min(a0, b0);
  return uni > 0 ? inter / uni : a0 === b0 && a1 === b1 ? 1 : 0;
}

type SegmentSpan = { id: string; start_s: number; end_s: number };

/**
 * A target that is a record id and has a span too: the span must be that record's (IoU >= 0.5, the rule that attaches
 * spans), else the ids no longer name what was rated (a transcript re-segmented since the ratings were made renumbers
 * the records) and the rating would sit on another segment than its span: refused, naming both.
 */
function checkIdSpan(seg: SegmentSpan, sp: LabelTargetSpan, segments: SegmentSpan[], file: string): void {
  if (iou(seg.start_s, seg.end_s, sp.start_s, sp.end_s) >= 0.5 - 1e-9) return;
  const other = segments.find((s) => iou(s.start_s, s.end_s, sp.start_s, sp.end_s) >= 0.5 - 1e-9);
  const span = (a: number, b: number) => `${fmtSecondsPair(a, b).join('-')} s`;
  throw new InputError(
    `target '${sp.target}' is the id of record ${seg.id} (${span(seg.start_s, seg.end_s)}), but its span is ${span(sp.start_s, sp.end_s)}${other ? `, record ${other.id}'s` : ', no record of this build'}: the record ids no longer name what was rated (a transcript re-segmented since?); match by span alone (give the targets other ids) or rate this build's records`,
    { file },
  );
}

/** For each segment (by index), the targets attached to it: by id, or by best IoU >= 0.5 within the session. */
export function assignTargets(segments: SegmentSpan[], spans: LabelTargetSpan[], file = 'labels'): string[][] {
  const out = segments.map((s) => [s.id]);
  const byId = new Map(segments.map((s) => [s.id, s]));
  for (const sp of spans) {
    const own = byId.get(sp.target);
    if (own) {
      checkIdSpan(own, sp, segments, file);
      continue;
    }
    let best = -1;
    let bestIou = 0.5 - 1e-9;
    segments.forEach((s, i) => {
      const v = iou(s.start_s, s.end_s, sp.start_s, sp.end_s);
      if (v > bestIou) {
        bestIou = v;
        best = i;
      }
    });
    if (best >= 0 && !out[best].includes(sp.target)) out[best].push(sp.target);
  }
  return out;
}

/** A rated span that wholly holds records it does not label (spansHoldingOthers). */
export interface SpanHoldingOthers {
  target: string;
  start_s: number;
  end_s: number;
  /** The record the span labels, or null when it matched none. */
  labels: string | null;
  holds: string[];
}

const HOLD_EPS_S = 1e-6;

/**
 * Rated spans that wholly contain a record they do not label. The IoU >= 0.5 rule attaches a span to the one record
 * it overlaps most, so a span rated over two utterances labels one of them and not the other, which lies inside what
 * the raters judged (ttrial50 W3: A_pair 1.9-6.67 s labelled A/u0000 (IoU 0.56) and held A/u0001 whole, unlabelled,
 * "24 of 24 targets used" and no word). A span that matched no record and holds some is named too.
 */
export function spansHoldingOthers(segments: SegmentSpan[], spans: LabelTargetSpan[], targetsOf: string[][]): SpanHoldingOthers[] {
  const out: SpanHoldingOthers[] = [];
  for (const sp of spans) {
    const mine = segments.findIndex((_, i) => targetsOf[i]?.includes(sp.target));
    const holds = segments.filter((g, i) => !targetsOf[i]?.includes(sp.target) && g.start_s >= sp.start_s - HOLD_EPS_S && g.end_s <= sp.end_s + HOLD_EPS_S).map((g) => g.id);
    if (holds.length) out.push({ target: sp.target, start_s: sp.start_s, end_s: sp.end_s, labels: mine >= 0 ? segments[mine].id : null, holds });
  }
  return out;
}

/** The session warning for spansHoldingOthers (kind labels_span_holds), the first three named; none when there is none. */
export function spansHoldingOthersWarning(found: SpanHoldingOthers[], file: string | null): string[] {
  if (found.length === 0) return [];
  const n = found.length;
  const one = (f: SpanHoldingOthers) => `${f.target} (${fmtSecondsPair(f.start_s, f.end_s).join('-')} s) ${f.labels ? `labels ${f.labels}` : 'labels no record'} and holds ${f.holds.join(', ')}`;
  const shown = found.slice(0, 3).map(one).join('; ') + (n > 3 ? `; and ${n - 3} more` : '');
  return [
    `labels: ${n} rated span${n > 1 ? 's' : ''}${file ? ` of ${basename(file)}` : ''} wholly contain${n > 1 ? '' : 's'} another record ${n > 1 ? 'they do' : 'it does'} not label (a span labels only the record it overlaps most, IoU at least 0.5): ${shown}; the held records get no label from ${n > 1 ? 'them' : 'it'}: rate each utterance on its own span, or build with --segments labels (a record per rated span)`,
  ];
}

/** IoU of two spans (0 when they do not overlap). */
const spanIou = (a: SegmentSpan, b: SegmentSpan): number => {
  const inter = Math.min(a.end_s, b.end_s) - Math.max(a.start_s, b.start_s);
  return inter > 0 ? inter / (Math.max(a.end_s, b.end_s) - Math.min(a.start_s, b.start_s)) : 0;
};

/**
 * The IoU from which two distinct rated spans are taken for one span given twice (SHIFTED_SESSION_MIN_IOU's reasoning:
 * spans of one utterance agree to well within a tenth of its length).
 */
export const NEAR_DUPLICATE_MIN_IOU = 0.9;

/**
 * `--segments labels` records (sorted by start) whose spans are nearly, not exactly, the same: a record is made per
 * distinct span, so one utterance rated on 2.69-3.42 s in one labels file and 2.6904-3.4197 s in another (two
 * exports, one rounding to the ms) became two records of the same audio, each with half the labels, exit 0 and no
 * word (ttrial56b). The pairs (indices into segments) with IoU at least NEAR_DUPLICATE_MIN_IOU.
 */
export function nearDuplicateSpans(segments: SegmentSpan[]): Array<{ a: number; b: number; iou: number }> {
  const out: Array<{ a: number; b: number; iou: number }> = [];
  for (let i = 0; i < segments.length; i++)
    for (let j = i + 1; j < segments.length && segments[j].start_s < segments[i].end_s; j++) {
      const iou = spanIou(segments[i], segments[j]);
      if (iou >= NEAR_DUPLICATE_MIN_IOU) out.push({ a: i, b: j, iou });
    }
  return out;
}

/** The session warning for nearDuplicateSpans (kind labels_near_duplicate), the first three named; none when none. */
export function nearDuplicateSpansWarning(segments: SegmentSpan[], targetsOf: string[][]): string[] {
  const found = nearDuplicateSpans(segments);
  if (found.length === 0) return [];
  const rec = (i: number) => {
    const targets = (targetsOf[i] ?? []).filter((t) => t !== segments[i].id);
    return `${segments[i].id} (${segments[i].start_s}-${segments[i].end_s} s: ${targets.length ? targets.join(', ') : 'no target'})`; // to the µs: they differ by little
  };
  const shown = found.slice(0, 3).map((p) => `${rec(p.a)} and ${rec(p.b)}, IoU ${round7(p.iou)}`).join('; ') + (found.length > 3 ? `; and ${found.length - 3} more` : '');
  const n = found.length;
  return [
    `labels: ${n} pair${n > 1 ? 's' : ''} of rated spans nearly the same (IoU at least ${NEAR_DUPLICATE_MIN_IOU}) but not equal, so each span became a record of its own, with the same audio and face and only its own targets' labels: ${shown}; if they rate one stretch, give it the same start_s and end_s in every labels file (--segments labels makes a record per distinct span)`,
  ];
}

/** A span target dropped from the record it overlapped (dropPartialMatches). */
export interface PartialMatch {
  target: string;
  record: string;
  iou: number;
}

/**
 * The IoU a span must reach to stay on its record in a session whose rated spans mostly match no segment. A ratings
 * file shifted by 1.5 s left one span of s03 overlapping the next utterance with IoU 0.57: its rating went onto that
 * utterance's record, the only label of the build (ttrial45b). A span rated on the right clock covers its utterance
 * almost exactly (the demo's: IoU 1.0); 0.9 keeps those.
 */
export const SHIFTED_SESSION_MIN_IOU = 0.9;

/**
 * For a session whose rated spans mostly match no segment (unmatchedSpansWarning): the span targets attached with an
 * IoU below SHIFTED_SESSION_MIN_IOU are taken off their record (a match by id stays). Returns the new assignment and
 * what was dropped.
 */
export function dropPartialMatches(segments: SegmentSpan[], spans: LabelTargetSpan[], targetsOf: string[][]): { targetsOf: string[][]; dropped: PartialMatch[] } {
  const byTarget = new Map(spans.map((sp) => [sp.target, sp]));
  const dropped: PartialMatch[] = [];
  const kept = targetsOf.map((ts, i) =>
    ts.filter((t) => {
      const sp = byTarget.get(t);
      if (!sp || t === segments[i].id) return true;
      const v = iou(segments[i].start_s, segments[i].end_s, sp.start_s, sp.end_s);
      if (v >= SHIFTED_SESSION_MIN_IOU - 1e-9) return true;
      dropped.push({ target: t, record: segments[i].id, iou: v });
      return false;
    }),
  );
  return { targetsOf: kept, dropped };
}

/**
 * A note per session_id of the labels files that is not a session of the manifest: its targets can match no segment.
 * Named with its target count and, when a manifest id differs only in case, spaces, '-' or '_' or by one or two letters,
 * that id ('S01' for 's01': ids are matched exactly; one or two letters off only when that id has no ratings of its own). Not refused: ratings may cover more sessions than one build.
 */
export function unknownSessionNotes(set: LabelSet, manifestIds: readonly string[]): string[] {
  const ids = new Set(manifestIds);
  const notes: string[] = [];
  for (const [sid, spans] of set.spansBySession) {
    if (ids.has(sid)) continue;
    const n = spans.length;
    notes.push(`labels: ${basename(set.sessionFile.get(sid) ?? '')}: session_id '${sid}' (${n} rated target${n > 1 ? 's' : ''}) is not a session of the manifest (${sessionHint(sid, manifestIds, (m) => set.spansBySession.has(m))}): its targets match no segment`);
  }
  // a gold trace's targets are session ids (trace-read.ts)
  for (const [sid, x] of set.traceSessions ?? []) {
    if (ids.has(sid)) continue;
    notes.push(`labels: ${basename(x.file)}: target '${sid}' (${x.samples} gold trace sample${x.samples > 1 ? 's' : ''}) is not a session of the manifest (${sessionHint(sid, manifestIds, (m) => set.traceSessions?.has(m) ?? false)}): its trace labels no record`);
  }
  return notes;
}

/** Why a labels session id is not the manifest's: another Unicode form, a near id ("did you mean"), or not in this build. */
function sessionHint(sid: string, manifestIds: readonly string[], hasOwn: (id: string) => boolean): string {
  const squash = (x: string) => x.toLowerCase().replace(/[\s_-]+/g, '');
  // Ids that differ only in their digits ('lab01', 'lab03') are numbered sessions: one is a likely typo of the other only
  // when the manifest's has no ratings of its own (a ratings file covering more sessions than this build said "did you
  // mean 'lab03'?" for each of the others: ttrial43). 's0l' for 's01' is suggested either way.
  const numbered = (m: string) => m.replace(/\d/g, '#') === sid.replace(/\d/g, '#');
  const likely = (m: string) => !numbered(m) || !hasOwn(m);
  const near = manifestIds.find((m) => squash(m) === squash(sid)) ?? manifestIds.find((m) => likely(m) && editDistance(m.toLowerCase(), sid.toLowerCase()) <= Math.min(2, Math.floor(sid.length / 3)));
  const nfc = manifestIds.find((m) => m.normalize('NFC') === sid.normalize('NFC'));
  return nfc !== undefined
    ? `the manifest's '${nfc}' is the same text in another Unicode form (NFC/NFD: an accent as one character or as a combining mark); session ids are matched exactly: save both files in NFC`
    : near !== undefined
      ? `did you mean '${near}'? session ids are matched exactly`
      : 'not in this build';
}
