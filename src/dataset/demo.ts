/**
 * `mmprep demo`: the whole pipeline on the bundled sample sessions (fixtures/demo): extract (sync, audio, face: the
 * stages this build has), agreement on the bundled ratings, dataset build, dataset validate. Every stage runs the
 * real library; a stage this build lacks is reported as not available (nothing is faked), and the stages after it run
 * on what exists.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../common/atomic.js';
import { InputError, isMmprepError } from '../common/errors.js';
import { toJsonText, writeRecords } from '../common/records.js';
import { analyzeAgreement } from '../agreement/analyze.js';
import { formatAgreementText } from '../agreement/format.js';
import { goldLabels } from '../agreement/gold.js';
import { readRatings } from '../agreement/read.js';
import { buildDataset } from './build.js';
import { extract, ExtractControl } from '../batch/extract.js';
import { formatDuration, type ProgressReporter } from '../batch/progress.js';
import { loadStages, STAGE_NAMES, type StageName } from '../batch/extract-stages.js';
import { formatReport, validateDataset } from './validate.js';
import { makeFolder } from '../common/make-folder.js';

export interface DemoStage {
  stage: string;
  status: 'ok' | 'failed' | 'not available' | 'partial';
  detail: string;
  outputs: string[];
}

export interface DemoResult {
  out: string;
  stages: DemoStage[];
  ok: boolean;
  /** Stopped by DemoControl.stopped (Ctrl-C): the stages after the one running were not run. */
  interrupted?: boolean;
}

/**
 * Lets the CLI stop a demo (Ctrl-C): `extracting` is the running extract's control, to roll its sessions back (null
 * between stages); `stopped` makes runDemo return after the stage that is running.
 */
export class DemoControl {
  extracting: ExtractControl | null = null;
  stopped = false;
}

/** The bundled sample sessions: fixtures/demo beside dist/ (or src/) in the package. */
export function demoFixturesDir(): string {
  return fileURLToPath(new URL('../../fixtures/demo/', import.meta.url));
}

type DemoOptions = { out?: string; log?: (line: string) => void; jobs?: number; fixtures?: string; faceFps?: number; control?: DemoControl };

/** Records a demo stage and logs its line. */
type AddStage = (s: DemoStage) => void;

/** A path as the user sees it: relative to the working folder. */
function rel(p: string): string {
  return relative(process.cwd(), p) || '.';
}

function stageLine(s: DemoStage): string {
  const tag = s.status === 'ok' ? 'ok  ' : s.status === 'not available' ? 'n/a ' : s.status === 'partial' ? 'part' : 'FAIL';
  return `${tag} ${s.stage}: ${s.detail}${s.outputs.length ? ` -> ${s.outputs.map(rel).join(', ')}` : ''}`;
}

/**
 * The demo's extract progress: a line as each session ends (the extract stage is the demo's longest, about a minute on
 * 2 cores, and printed nothing, so a new user's trial took it for hung); failures come in extract's own words.
 */
function sessionEndLines(log: (line: string) => void): ProgressReporter {
  let ended = 0;
  return {
    update(st) {
      const now = st.done + st.failed;
      if (now > ended) log(`     extract: ${now} of ${st.total} sessions ended (${st.failed} failed), ${formatDuration(st.elapsed_s)} so far`);
      ended = Math.max(ended, now);
    },
    log: (line) => process.stderr.write(`${line}\n`), // a failed session, in extract's words, as before
    stop: () => undefined,
  };
}

/** 1-3. extract: sync, audio, face (whichever stages this build has; the others are reported as not available). */
async function demoExtract(manifest: string, features: string, opts: DemoOptions, add: AddStage): Promise<void> {
  const table = await loadStages();
  const have = STAGE_NAMES.filter((s) => table[s]);
  const missing = STAGE_NAMES.filter((s) => !table[s]);
  for (const s of missing) add({ stage: s, status: 'not available', detail: `the ${s} stage is not in this build of mmprep extract; its outputs are absent`, outputs: [] });
  if (!have.length) return;
  const control = new ExtractControl();
  if (opts.control) opts.control.extracting = control;
  try {
    await rm(features, { recursive: true, force: true });
    opts.log?.(`     extract (${have.join(', ')}): running; a line as each session ends`);
    const progress = sessionEndLines(opts.log ?? (() => undefined));
    const sum = await extract(manifest, { out: features, only: have as StageName[], jobs: opts.jobs ?? 1, progress, control, ...(opts.faceFps ? { stageOptions: { faceFps: opts.faceFps } } : {}) });
    if (sum.interrupted) return;
    const status = sum.failed === 0 ? 'ok' : sum.done > 0 ? 'partial' : 'failed';
    add({
      stage: `extract (${have.join(', ')})`,
      status,
      detail: `${sum.done} of ${sum.sessions} sessions, ${sum.media_s.toFixed(1)} s of media in ${sum.wall_s.toFixed(1)} s${sum.failed ? `; failed: ${sum.errors.map((e) => `${e.session_id} ${e.stage}: ${e.reason}`).join('; ')}` : ''}`,
      outputs: [features],
    });
  } catch (e) {
    if (!isMmprepError(e)) throw e;
    add({ stage: `extract (${have.join(', ')})`, status: 'failed', detail: e.toLine(), outputs: [] });
  } finally {
    if (opts.control) opts.control.extracting = null;
  }
}

/** 4. agreement on the bundled ratings: report, JSON and gold labels. */
async function demoAgreement(ratings: string, out: string, add: AddStage): Promise<void> {
  try {
    const t = await readRatings(rel(ratings)); // named as the user would type it: agreement.txt/json do not carry this clone's path
    const r = analyzeAgreement(t);
    await writeFileAtomic(join(out, 'agreement.txt'), formatAgreementText(r));
    await writeFileAtomic(join(out, 'agreement.json'), toJsonText(r));
    await writeRecords(goldLabels(t), join(out, 'gold.jsonl'));
    const icc = r.dimensions.map((d) => `${d.dimension} ICC(2,1)=${d.icc?.rows.find((x) => x.type === 'ICC2')?.icc?.toFixed(3) ?? 'n/a'}`).join(', ');
    add({ stage: 'agreement', status: 'ok', detail: `${t.dimensions.length} dimensions, ${icc}`, outputs: [join(out, 'agreement.txt'), join(out, 'agreement.json'), join(out, 'gold.jsonl')] });
  } catch (e) {
    if (!isMmprepError(e)) throw e;
    add({ stage: 'agreement', status: 'failed', detail: e.toLine(), outputs: [] });
  }
}

/** 5. dataset build from the extracted features; says whether a release was built. */
async function demoBuild(manifest: string, ratings: string, features: string, ds: string, add: AddStage): Promise<boolean> {
  if (!existsSync(features)) {
    add({ stage: 'dataset build', status: 'not available', detail: 'no extracted features to build from', outputs: [] });
    return false;
  }
  try {
    const r = await buildDataset(manifest, { features, labels: [ratings], out: ds });
    const m = r.manifest;
    const failed = m.sessions.filter((s) => s.error);
    add({
      stage: 'dataset build',
      status: failed.length === 0 ? 'ok' : m.counts.records > 0 ? 'partial' : 'failed',
      detail: `${m.counts.records} records (${Object.entries(m.counts.per_split).map(([k, v]) => `${k} ${v.records}`).join(', ')}); present: audio ${m.presence.audio}, face ${m.presence.face}, text ${m.presence.text}, labels ${m.presence.labels}${failed.length ? `; sessions left out: ${failed.map((f) => `${f.session_id} (${f.error})`).join('; ')}` : ''}`,
      outputs: [ds],
    });
    return true;
  } catch (e) {
    if (!isMmprepError(e)) throw e;
    add({ stage: 'dataset build', status: 'failed', detail: e.toLine(), outputs: [] });
    return false;
  }
}

/** 6. dataset validate of the built release (report in validate.txt). */
async function demoValidate(ds: string, out: string, add: AddStage): Promise<void> {
  const v = await validateDataset(ds);
  await writeFileAtomic(join(out, 'validate.txt'), formatReport({ ...v, dir: rel(ds) }));
  const bad = v.checks.filter((c) => !c.ok);
  add({ stage: 'dataset validate', status: v.ok ? 'ok' : 'failed', detail: v.ok ? `${v.checks.length} checks passed on ${v.records} records` : `failed: ${bad.map((c) => `${c.name}: ${c.message}`).join('; ')}`, outputs: [join(out, 'validate.txt')] });
}

/** What a demo run writes into its folder (and its temp files, hidden). */
const DEMO_ENTRIES = new Set(['features', 'dataset', 'agreement.txt', 'agreement.json', 'gold.jsonl', 'validate.txt', 'demo.json']);

/**
 * The demo replaces `<out>/features` whole: an -o holding anything else than an earlier demo's files (a project
 * folder with the user's own extract output in `features/`, say) is refused, exit 2, before anything is touched.
 */
export function refuseForeignOut(out: string): void {
  if (!existsSync(out)) return;
  const list = (d: string) => (existsSync(d) ? readdirSync(d).filter((n) => !n.startsWith('.')) : []);
  const foreign = list(out).filter((n) => !DEMO_ENTRIES.has(n));
  const foreignFeatures = list(join(out, 'features')).filter((n) => !/^(s0[123]|_errors.*\.jsonl)$/.test(n)).map((n) => `features/${n}`);
  const names = [...foreign, ...foreignFeatures];
  if (names.length === 0) return;
  throw new InputError(`holds files the demo did not make (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}) and would replace its features/: choose another -o (a new or empty folder)`, { file: out });
}

/**
 * After an interrupt (synchronous, for a signal handler): removes every file and folder a demo writes in `out` (an
 * earlier demo's too: a rerun makes them all again, and an old dataset/ beside no features/ would be a half demo) and
 * their hidden temp files; `out` itself too when this run made it and nothing else is in it.
 */
export function removeDemoOutputsSync(out: string, folderToo: boolean): void {
  if (!existsSync(out)) return;
  const ours = (n: string) => DEMO_ENTRIES.has(n) || [...DEMO_ENTRIES].some((e) => n.startsWith(`.${e}.`));
  for (const n of readdirSync(out)) if (ours(n)) rmSync(join(out, n), { recursive: true, force: true, maxRetries: 3 });
  if (folderToo && readdirSync(out).length === 0) rmSync(out, { recursive: true, force: true });
}

export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const log = opts.log ?? (() => undefined);
  const out = resolve(opts.out ?? 'mmprep-demo');
  const fx = opts.fixtures ?? demoFixturesDir();
  const manifest = join(fx, 'manifest.csv');
  const ratings = join(fx, 'ratings.csv');
  const stages: DemoStage[] = [];
  const add: AddStage = (s) => {
    stages.push(s);
    log(stageLine(s));
  };
  refuseForeignOut(out);
  await makeFolder(out);
  log(`mmprep demo: ${rel(manifest)} (3 sample sessions) -> ${rel(out)}/`);

  const features = join(out, 'features');
  const ds = join(out, 'dataset');
  const stopped = () => opts.control?.stopped === true;
  await demoExtract(manifest, features, opts, add);
  if (stopped()) return { out, stages, ok: false, interrupted: true };
  await demoAgreement(ratings, out, add);
  const built = stopped() ? false : await demoBuild(manifest, ratings, features, ds, add);
  if (stopped()) return { out, stages, ok: false, interrupted: true };
  if (built) await demoValidate(ds, out, add);
  else add({ stage: 'dataset validate', status: 'not available', detail: 'no dataset was built', outputs: [] });

  const ok = stages.every((s) => s.status === 'ok');
  await writeFileAtomic(join(out, 'demo.json'), toJsonText({ out: rel(out), ok, stages: stages.map((s) => ({ ...s, outputs: s.outputs.map((p) => relative(out, p) || '.') })) }));
  log(ok ? `done: everything is in ${rel(out)}/ (start with ${rel(join(ds, 'README.md'))})` : `done with gaps: see above; what was made is in ${rel(out)}/`);
  return { out, stages, ok };
}
