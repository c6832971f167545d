/**
 * A build that would write nothing useful is refused (exit 4, one line naming the cause, nothing written): no records
 * at all, or labels given and none of them matched a record, or a dimension below --min-label-coverage. A partial
 * label match is reported with its counts.
 */
import { BatchError } from '../common/errors.js';
import type { Manifest } from '../batch/manifest.js';
import type { DatasetManifest, TraceManifestEntry } from './build.js';
import type { LabelSet } from './labels.js';
import type { SegmentMode } from './segments.js';
import { PARTIAL_MATCHES_DROPPED } from './build-session.js';
import { looksLikeMilliseconds } from './transcripts/check.js';

interface RefuseContext {
  manifest: Manifest;
  labelSet: LabelSet | null;
  segments: SegmentMode;
  minLabelCoverage?: number;
  onNote?: (line: string) => void;
}

/**
 * `id: error` per failed session, sessions whose errors differ only in their own folder (`<features>/<id>: `) said
 * once with their ids: twelve sessions never extracted gave one 3 KB line repeating the same reason (trial8).
 */
function groupedFailures(failed: ReadonlyArray<{ session_id: string; error?: string | null }>): string {
  const groups = new Map<string, string[]>();
  for (const f of failed) {
    const error = f.error ?? '';
    const own = error.indexOf(`/${f.session_id}: `);
    const key = own >= 0 && !error.slice(0, own).includes(' ') ? `${error.slice(0, own)}/<session_id>: ${error.slice(own + f.session_id.length + 3)}` : error;
    groups.set(key, [...(groups.get(key) ?? []), f.session_id]);
  }
  return [...groups]
    .map(([key, ids]) => {
      if (ids.length === 1) return `${ids[0]}: ${failed.find((f) => f.session_id === ids[0])?.error}`;
      const shown = ids.length > 5 ? `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more` : ids.join(', ');
      return `${ids.length} sessions (${shown}): ${key}`;
    })
    .join('; ');
}

/**
 * The sessions whose rated spans mostly matched no utterance (kind labels_unmatched) and whose partial overlaps were
 * therefore not attached (labels.ts dropPartialMatches): the refusal said "no span overlaps by IoU >= 0.5" of a build where one did.
 */
function shiftedSessionsText(dm: DatasetManifest): string {
  const ids = dm.sessions.filter((s) => s.issues?.some((i) => i.kind === 'labels_unmatched' && i.message.endsWith(PARTIAL_MATCHES_DROPPED))).map((s) => s.session_id);
  if (ids.length === 0) return '';
  return ` (or only partly, in session${ids.length === 1 ? '' : 's'} ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''} whose spans mostly match no utterance, where a partial overlap is not attached: a ratings file on another clock or shifted? see their warnings)`;
}

/** '; in sessions D, F the spans match utterances on another role's clock …' (build-session.ts unmatchedSpansWarning, ttrial50 R3). */
function otherClockSessionsText(dm: DatasetManifest): string {
  const ids = dm.sessions.filter((s) => s.issues?.some((i) => i.kind === 'labels_unmatched' && i.message.includes('in the labels_clock column'))).map((s) => s.session_id);
  if (ids.length === 0) return '';
  return `; in session${ids.length === 1 ? '' : 's'} ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''} they match utterances when read on another role's clock: give that role in the labels_clock column (see their warnings)`;
}

/** Why a build has no records, as precisely as the inputs tell. */
function whyNoRecords(dm: DatasetManifest, c: RefuseContext): string {
  const failed = dm.sessions.filter((s) => s.error);
  if (dm.sessions.length > 0 && failed.length === dm.sessions.length) return `every session failed (${groupedFailures(failed)})`;
  if (c.segments.kind === 'utterance' && !c.manifest.sessions.some((s) => s.transcript))
    return `--segments utterance needs transcripts, and no session has one (the manifest has ${c.manifest.columns.includes('transcript') ? 'only empty' : 'no'} 'transcript' column); add it, or use --segments fixed:LEN`;
  if (c.segments.kind === 'labels' && c.labelSet) {
    if (c.labelSet.withoutSpans.length === c.labelSet.files.length)
      return `--segments labels needs session_id, start_s and end_s columns in the labels file, and ${c.labelSet.withoutSpans.join(', ')} has none`;
    const ids = new Set(c.manifest.sessions.map((s) => s.session_id));
    if (![...c.labelSet.spansBySession.keys()].some((k) => ids.has(k)))
      return `--segments labels: no labelled span has a session_id of the manifest (labels name ${[...c.labelSet.spansBySession.keys()].slice(0, 3).join(', ')})`;
  }
  return 'no segment had any data (check the transcripts and --segments)';
}

/**
 * Records without any audio or face features are not training data: refused (e.g. an `extract --only sync` that
 * changed the clock removed them). A modality that no record has is said on stderr.
 */
function refuseFeatureless(dm: DatasetManifest, onNote?: (line: string) => void): void {
  const records = dm.counts.records;
  const audio = dm.presence.audio ?? 0;
  const face = dm.presence.face ?? 0;
  if (audio === 0 && face === 0)
    throw new BatchError(`dataset not written: none of the ${records} records has audio or face features (the feature folders have no audio.jsonl or face.jsonl on the sessions' current clock: run mmprep extract with the audio and face stages)`);
  for (const [k, n] of [['audio', audio], ['face', face]] as const) if (n === 0) onNote?.(`presence: no record has ${k} features`);
}

/** Rated targets that matched no segment named in the stderr note and the card (manifest.json lists every one). */
export const UNMATCHED_SHOWN = 5;

/**
 * `; 3 matched no segment: a, b (did you mean 'c'?), …` (the first few named), or '' when every target was used. A
 * target that names a record of this build but for its case or zero padding (`s01/u1`, `S01/u0002`, typed by hand or
 * stripped by a spreadsheet) gets that record's id (`near`: nearRecordId).
 */
export function unmatchedText(l: { targets: number; targets_used: number; targets_unmatched?: string[] }, near: (t: string) => string | null = () => null): string {
  const n = l.targets - l.targets_used;
  if (n <= 0) return '';
  const shown = (l.targets_unmatched ?? []).slice(0, UNMATCHED_SHOWN).map((t) => {
    const id = near(t);
    return id ? `${t} (did you mean '${id}'?)` : t;
  });
  return `; ${n} matched no segment${shown.length ? `: ${shown.join(', ')}${n > shown.length ? ', …' : ''}` : ''}`;
}

/** The record id of this build a target means but for case and zero padding, or null (see unmatchedText). */
export function nearRecordId(target: string, dm: Pick<DatasetManifest, 'sessions' | 'options'>): string | null {
  const m = /^\s*(.+?)\/([uwl])(\d+)\s*$/i.exec(target);
  const mode = String(dm.options.segments ?? 'utterance');
  const letter = mode.startsWith('fixed') ? 'w' : mode === 'labels' ? 'l' : 'u';
  if (!m || m[2].toLowerCase() !== letter) return null;
  const sessions = dm.sessions.filter((x) => !x.error && x.session_id.toLowerCase() === m[1].toLowerCase());
  const i = Number(m[3]);
  if (sessions.length !== 1 || !(i < sessions[0].records)) return null;
  const id = `${sessions[0].session_id}/${letter}${String(i).padStart(letter === 'w' ? 5 : 4, '0')}`;
  return id === target ? null : id;
}

/**
 * '; the labels' start_s/end_s look like milliseconds …' when every session's labelled spans, divided by 1000, fit its
 * recording (as `--segments labels` says, transcripts/check.ts whatToDo): under the default segments a trial's labels
 * in milliseconds were refused with "no labelled span overlaps" alone.
 */
function spansInMsHint(dm: DatasetManifest, labelSet: LabelSet): string {
  const checked = dm.sessions.filter((s) => !s.error && s.recording && labelSet.spansBySession.get(s.session_id)?.length);
  const inMs = checked.length > 0 && checked.every((s) => looksLikeMilliseconds(labelSet.spansBySession.get(s.session_id)!.map((x): [number, number] => [x.start_s, x.end_s]), s.recording!));
  return inMs ? ": the labels' start_s/end_s look like milliseconds (divided by 1000 they fit the recordings): write them in seconds" : '';
}

/** A record id of this build's form (`s01/u0000`, `s01/w00000`, `s01/l0000`): the refusal named `/u0000` under `fixed` too. */
function exampleRecordId(dm: DatasetManifest): string {
  const mode = String(dm.options.segments ?? 'utterance');
  const suffix = mode.startsWith('fixed') ? 'w00000' : mode === 'labels' ? 'l0000' : 'u0000';
  return `${dm.sessions.find((s) => !s.error)?.session_id ?? 's01'}/${suffix}`;
}

/**
 * Labels of whole clips keyed by the clip's session id (a corpus's per-clip CSV: RAVDESS-style names, CREMA-D's
 * ratings by clip): every target is a session id of the build. The refusal says how such labels reach the records
 * (ttrial59c: 48 clip labels, "targets must be record ids (like 'x/u0000')" under fixed segments).
 */
function sessionIdTargetsHint(targets: readonly string[], dm: DatasetManifest): string {
  const ids = new Set(dm.sessions.map((s) => s.session_id));
  if (!targets.length || !targets.every((t) => ids.has(t))) return '';
  return `; these targets are session ids (a label per clip): with --segments fixed:LEN, LEN at least the longest session, each session is one record '<session_id>/w00000', so key the labels by that id, or give each row the session's span in session_id, start_s, end_s columns (docs/dataset.md "A corpus of short clips")`;
}

/**
 * Under `--segments fixed:LEN`, a window inside a rated span longer than 2 LEN overlaps it by IoU below 0.5 (LEN / the
 * span), so spans of whole clips label none of their 1 s windows: the refusal said only "no labelled span overlaps a
 * segment" of spans that hold every window (ttrial59c: 2.2-3.4 s clip spans, fixed:1). A label is not spread over
 * the windows inside its span; the line says what gives records the spans' labels.
 */
function spansLongerThanWindowsHint(dm: DatasetManifest, labelSet: LabelSet): string {
  const m = /^fixed:([^:]+)/.exec(String(dm.options.segments ?? ''));
  const len = m ? Number(m[1]) : NaN;
  const spans = [...labelSet.spansBySession.values()].flat();
  if (!(len > 0) || !spans.length || !spans.every((x) => x.end_s - x.start_s > 2 * len)) return '';
  const lengths = spans.map((x) => x.end_s - x.start_s);
  const range = `${Math.min(...lengths).toFixed(2)}-${Math.max(...lengths).toFixed(2)} s`;
  return `: every labelled span (${range}) is over twice the ${len} s windows, so a window inside one overlaps it by IoU below 0.5 and takes no label (a span's label is not spread over the windows inside it): build one record per span with --segments labels, or --segments fixed:LEN with LEN at least the longest span, and join that label to finer windows by session_id yourself`;
}

/** A gold-trace label's record counts for the build's note (`3 below --min-trace-coverage 0.5, 6 of sessions without a trace`). */
function traceCountsText(t: TraceManifestEntry): string {
  return `gold trace ${t.file}: ${t.records_below_min_coverage} record(s) covered less than --min-trace-coverage ${t.min_coverage} (unlabelled), ${t.records_without_trace} of sessions without a trace`;
}

export function refuseEmpty(dm: DatasetManifest, c: RefuseContext): void {
  const records = dm.counts.records;
  if (records === 0) throw new BatchError(`dataset not written: 0 records: ${whyNoRecords(dm, c)}`);
  refuseFeatureless(dm, c.onNote);
  if (!c.labelSet || dm.labels.length === 0) return;
  const pct = (n: number) => `${((100 * n) / records).toFixed(1)} %`;
  for (const l of dm.labels) c.onNote?.(`labels: ${l.key}: ${l.records_labelled} of ${records} records labelled (${pct(l.records_labelled)}); ${l.trace ? traceCountsText(l.trace) : `${l.targets_used} of ${l.targets} targets used${unmatchedText(l, (t) => nearRecordId(t, dm))}`}`);
  if (dm.labels.every((l) => l.records_labelled === 0) && dm.labels.every((l) => l.trace))
    throw new BatchError(`dataset not written: labels given but no record got a gold trace's mean: ${dm.labels.map((l) => `${l.key}: ${traceCountsText(l.trace!)}`).join('; ')}: are the trace's targets the manifest's session ids, and its time_s on the clock labels_clock names (empty: the reference)?`);
  if (dm.labels.every((l) => l.records_labelled === 0)) {
    const targets = c.labelSet.dimensions.flatMap((d) => [...d.byTarget.keys()]);
    const cause = c.labelSet.withoutSpans.length
      ? `targets must be record ids (like '${exampleRecordId(dm)}') or come with session_id, start_s, end_s columns${sessionIdTargetsHint(targets, dm)}`
      : `no labelled span overlaps a segment by IoU >= 0.5${shiftedSessionsText(dm)}${otherClockSessionsText(dm)}${spansInMsHint(dm, c.labelSet)}${spansLongerThanWindowsHint(dm, c.labelSet)}`;
    throw new BatchError(`dataset not written: labels given but none of their ${new Set(targets).size} targets matched a record (targets look like '${targets[0] ?? ''}'): ${cause}`);
  }
  const min = c.minLabelCoverage;
  if (min !== undefined) {
    const low = dm.labels.filter((l) => l.records_labelled / records < min);
    if (low.length)
      throw new BatchError(`dataset not written: label coverage below --min-label-coverage ${min}: ${low.map((l) => `${l.key} ${l.records_labelled} of ${records} records (${pct(l.records_labelled)})`).join(', ')}`);
  }
}
