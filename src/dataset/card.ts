/** The dataset card (README.md of a release): what is in it, how it was made, label agreement, known gaps. */
import type { DatasetManifest, TraceManifestEntry } from './build.js';
import { mixedAudioRoleNotes, mixedFaceModelNotes, mixedMadeByNotes, notExtractedText, notProducedText } from './made-by-mix.js';
import { nearRecordId, UNMATCHED_SHOWN } from './refuse.js';
import { shellWord } from '../common/shell.js';

const pct = (a: number, b: number) => (b > 0 ? `${((100 * a) / b).toFixed(1)} %` : 'n/a');
const fmt = (v: unknown) => (v === null || v === undefined ? 'n/a' : typeof v === 'number' ? String(Number(v.toFixed(3))) : String(v));

export function datasetCard(m: DatasetManifest): string {
  const L: string[] = [];
  const o = m.options as Record<string, unknown>;
  L.push('# Dataset card', '');
  L.push(`Built by mmprep ${m.tool.version}${m.format_version >= 2 ? ` (code ${m.tool.build})` : ''} from the session manifest \`${m.source.manifest}\` (sha256 ${m.source.manifest_sha256.slice(0, 16)}…).`);
  // Format 1 cards (releases before 2026-12-02) stay as they were: `dataset validate` compares a release's card with the card of its format.
  if (m.format_version >= 2) L.push('', `How it was made, as one fingerprint (mmprep code, record schema ${m.schema_version}, options, how the features were extracted: manifest.json \`fingerprint\`): \`${m.fingerprint}\`.`);
  L.push('');
  L.push('## What is in it', '');
  L.push(`${m.counts.records} records (one per ${o.segments === 'utterance' ? 'transcript utterance' : o.segments === 'labels' ? 'labelled target' : `fixed window (${o.segments})`}) from ${m.counts.sessions} sessions.`);
  L.push('');
  L.push('| split | records | sessions | speakers |', '| --- | ---: | ---: | ---: |');
  for (const [k, v] of Object.entries(m.counts.per_split)) L.push(`| ${k} | ${v.records} | ${v.sessions}${v.sessions_without_records ? ` (${v.sessions_without_records} without records)` : ''} | ${v.speakers} |`);
  L.push('');
  if (typeof o.split_column === 'string') L.push(`Splits are the source manifest's \`${o.split_column}\` column, checked speaker-disjoint (a speaker, and speakers sharing a recording, in one split).`);
  else L.push(`Splits are speaker-disjoint: a speaker's split comes from a stable hash of speaker_id (fractions ${JSON.stringify(o.split)}), so small datasets can leave a split empty.`);
  L.push('');
  L.push(`- audio features (10 ms grid): ${(o.audio_features as string[]).join(', ') || 'none'}`);
  L.push(`- face features (${o.face_rate === 'audio' ? 'resampled onto the audio grid' : 'at video rate with their times'}): ${(o.face_features as string[]).join(', ') || 'none'}`);
  L.push('- per segment and per word: overlap-weighted functionals that skip missing values and count them (n, n_missing)');
  L.push('- files: ' + m.files.map((f) => `\`${f.path}\` (${f.records} records)`).join(', '));
  L.push('- `schema.json`: JSON Schema of a record; `manifest.json`: counts, options, sha256 of every file');
  L.push('');
  L.push('## How it was made', '');
  L.push('```');
  L.push(`mmprep dataset build ${m.source.manifest} --features <dir>${m.source.labels.map((l) => ` --labels ${l.file}`).join('')} --segments ${o.segments} --audio-features ${(o.audio_features as string[]).join(',') || 'none'} --face-features ${(o.face_features as string[]).join(',') || 'none'} --face-rate ${o.face_rate}${typeof o.split_column === 'string' ? '' : ` --split ${Object.entries(o.split as Record<string, number>).map(([k, v]) => `${k}=${v}`).join(',')}`}${o.gzip ? ' --gzip' : ''} --shard-mb ${o.shard_mb}${Array.isArray(o.scale) ? ` --scale ${o.scale.join(',')}` : ''}${o.exclude_sync_beep ? ' --exclude-sync-beep' : ''}${typeof o.min_trace_coverage === 'number' ? ` --min-trace-coverage ${o.min_trace_coverage}` : ''}${labelReadingFlags(o.label_reading)}`);
  L.push('```', '');
  L.push(m.clock_note ?? 'Times are seconds on each session\'s reference clock (the sync map of `mmprep sync` applied by `mmprep extract`).');
  L.push('');
  L.push('## Label agreement', '');
  if (m.labels.length === 0) L.push('No labels were given.');
  else {
    L.push('| label | file | ICC(2,1) | 95 % CI | band | Krippendorff alpha | targets used / rated |', '| --- | --- | ---: | --- | --- | ---: | ---: |');
    for (const l of m.labels) {
      const a = l.agreement as { icc2: number | null; icc2_ci95: [number | null, number | null]; icc2_band: string | null; alpha: number | null; alpha_metric: string; icc2_n_targets?: number | null };
      // The ICC's own target count where it used fewer than were rated (complete targets only): "19 / 19" stood beside
      // an ICC of 16 targets, the 16 only under Known gaps (ttrial43).
      const iccN = a.icc2 !== null && typeof a.icc2_n_targets === 'number' && a.icc2_n_targets !== l.targets ? ` (of ${a.icc2_n_targets} targets)` : '';
      L.push(`| ${l.key} | ${l.file} | ${fmt(a.icc2)}${iccN} | [${fmt(a.icc2_ci95[0])}, ${fmt(a.icc2_ci95[1])}] | ${fmt(a.icc2_band)} | ${fmt(a.alpha)} (${a.alpha_metric}) | ${l.targets_used} / ${l.targets} |`);
    }
    for (const l of m.labels) if (l.trace) L.push('', traceCardLine(l.key, l.trace));
  }
  L.push('');
  L.push('## Known gaps', '');
  const gaps: string[] = [];
  const n = m.counts.records;
  for (const k of ['audio', 'face', 'text', 'labels']) {
    const have = m.presence[k] ?? 0;
    if (have < n) gaps.push(`${n - have} of ${n} records (${pct(n - have, n)}) have no ${k}${absentReason(m, k, n - have)}.`);
  }
  for (const s of m.sessions.filter((x) => x.error)) gaps.push(`session ${s.session_id} is missing: ${s.error}`);
  for (const s of m.sessions) for (const w of s.warnings ?? []) gaps.push(`session ${s.session_id}: ${w}`);
  for (const n of [...mixedMadeByNotes(m.sessions, m.format_version), ...mixedAudioRoleNotes(m.sessions), ...mixedFaceModelNotes(m.sessions)]) gaps.push(`${n}.`);
  for (const l of m.labels) if (l.targets_used < l.targets) gaps.push(unmatchedGap(l, m));
  for (const l of m.labels) for (const w of l.warnings ?? []) gaps.push(`labels ${l.key}: ${w}`);
  for (const [k, v] of Object.entries(m.counts.per_split)) if (v.records === 0) gaps.push(`split ${k} is empty.`);
  if (typeof m.split_note === 'string') gaps.push(`${m.split_note}.`);
  if (gaps.length === 0) L.push('None found.');
  else for (const g of gaps) L.push(`- ${g}`);
  L.push('');
  return L.join('\n');
}

/**
 * A label's rated targets that matched no segment, the first few named, each with the record id it means but for case
 * or zero padding (`s01/u1`: did you mean `s01/u0001`?), as the build's stderr note gives it (refuse.ts unmatchedText).
 */
function unmatchedGap(l: DatasetManifest['labels'][number], m: DatasetManifest): string {
  const n = l.targets - l.targets_used;
  const shown = (l.targets_unmatched ?? []).slice(0, UNMATCHED_SHOWN).map((t) => {
    const id = nearRecordId(t, m);
    return id ? `\`${t}\` (did you mean \`${id}\`?)` : `\`${t}\``;
  });
  return `${n} rated targets of ${l.key} matched no segment${shown.length ? ` (${shown.join(', ')}${n > shown.length ? ', …' : ''})` : ''}.`;
}

/**
 * Why records lack a modality: for audio and face, the records of sessions whose stage extract did not run (their
 * missingStageWarnings line) apart from the rest. Since schema 3 the face's rest is split again: sessions without video
 * (no face stage in meta.json and no warning: a session recorded without a camera, by design) apart from records of
 * sessions with video where no face was detected in the span (face lost: covered, turned away, out of view). Before,
 * one clause held both ("no face detected in the span or no video", ttrial50: session C and D's covered face).
 */
function absentReason(m: DatasetManifest, k: string, without: number): string {
  if (k !== 'audio' && k !== 'face') return '';
  const skipped = m.sessions.filter((s) => !s.error && (s.warnings ?? []).some((w) => w.startsWith(notExtractedText(k))));
  const notRun = skipped.reduce((a, s) => a + s.records, 0);
  const empty = m.sessions.filter((s) => !s.error && (s.warnings ?? []).some((w) => w.startsWith(notProducedText(k))));
  const emptyRecords = empty.reduce((a, s) => a + s.records, 0);
  const v3 = m.format_version >= 2 && (m.schema_version ?? 1) >= 3;
  const noVideo = k === 'face' && v3 ? m.sessions.filter((s) => !s.error && s.made_by && !s.made_by.face && !skipped.includes(s) && s.records > 0) : [];
  const noVideoRecords = noVideo.reduce((a, s) => a + s.records, 0);
  const rest = without - notRun - emptyRecords - noVideoRecords;
  const restText = k === 'audio' ? 'no audio in the span' : v3 ? 'no face detected in the span (the session has video)' : 'no face detected in the span or no video';
  const parts = [
    ...(notRun > 0 ? [`${notRun} in ${skipped.length} session(s) whose ${k} stage extract did not run (not extracted; see below)`] : []),
    ...(emptyRecords > 0 ? [`${emptyRecords} in ${empty.length} session(s) whose ${k} stage had nothing to analyse (see below)`] : []),
    ...(noVideoRecords > 0 ? [`${noVideoRecords} in ${noVideo.length} session(s) without video (${noVideo.map((s) => s.session_id).join(', ')})`] : []),
  ];
  if (parts.length === 0) return k === 'face' ? ` (${restText})` : '';
  return `: ${parts.join(', ')}${rest > 0 ? `, ${rest} with ${restText}` : ''}`;
}

/** What a gold-trace label is, for the card: where from, how a record's label is made, how many records have none. */
function traceCardLine(key: string, t: TraceManifestEntry): string {
  const cov = t.coverage_mean === null ? '' : `; mean coverage ${t.coverage_mean}`;
  return `${key} is a gold trace (${t.file}: ${t.samples} samples of ${t.sessions} session(s), grid ${t.grid_step_s} s): each record's label is the trace's time-weighted mean over its span (gold.mean; each sample held over its grid cell), with gold.sd, n_samples and coverage; ${t.records_labelled} records labelled, ${t.records_below_min_coverage} unlabelled as the trace covers less than ${100 * t.min_coverage} % of their span, ${t.records_without_trace} of sessions without a trace${cov}. Its agreement figures are not computed from the gold (mmprep agreement FILE --traces gives the raters').`;
}

/** The card's labels flags from manifest.json's options.label_reading (absent before 2026-12-08: none, as those cards were). */
function labelReadingFlags(r: unknown): string {
  if (typeof r !== 'object' || r === null) return '';
  const x = r as { categorical?: boolean | string[]; target_col?: string; rater_col?: string; rating_col?: string; na?: string[]; decimal_comma?: boolean };
  const cat = x.categorical === true ? ' --categorical' : Array.isArray(x.categorical) && x.categorical.length ? ` --categorical ${shellWord(x.categorical.join(','))}` : '';
  const col = (flag: string, v: string | undefined) => (v ? ` ${flag} ${shellWord(v)}` : '');
  return `${cat}${col('--target-col', x.target_col)}${col('--rater-col', x.rater_col)}${col('--rating-col', x.rating_col)}${x.na?.length ? ` --na ${shellWord(x.na.join(','))}` : ''}${x.decimal_comma ? ' --decimal-comma' : ''}`;
}
