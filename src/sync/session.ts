/**
 * `mmprep sync` as a library: finds the sync pulse (1 kHz beep, LED flash) in every stream of a session's files and
 * puts all streams on the reference stream's clock (SyncMap, see clock.ts). Four steps, one file each:
 * find the pulses of every stream (streams.ts), choose each stream's pulses (choose.ts), place the streams on the
 * reference clock (place.ts), report or refuse (report.ts). What those steps call sits in four folders: tone/ (the beep
 * detector: scan-audio.ts decodes, tone.ts finds bursts, tone-refine.ts and the other tone-*.ts time and judge onsets),
 * flash/ (the LED/screen flash detector: scan-video.ts, flash.ts and flash-*.ts, pairing.ts), xcorr/ (placing a stream
 * by its content: xcorr.ts, xcorr-*.ts, content-lag.ts) and checks/ (what a placement must survive or a refusal says:
 * continuity, content and pairing checks, clock jumps, late or early cameras, the hints of refusals).
 */
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from '../common/atomic.js';
import { InputError } from '../common/errors.js';
import type { SyncMap } from './clock.js';
import { AmbiguousPulseError, choosePulses, pickTimes, type PickRule } from './choose.js';
import { chooseByPairing } from './pick-at.js';
import { type PlaceOptions, placeStreams, skewBothEnds } from './place.js';
import { buildSyncMap, refuseUnplaced, type ReportContext } from './report.js';
import { findAudioPulses, findVideoPulses, flashGuides, mapLimit, probeFiles, streamStates, type FileProbe, type ProbedFile, type StreamState } from './streams.js';
import { findOtherToneBurst } from './tone/tone-hint.js';
import { endWindowHint, lateCameraAdvice } from './checks/end-hint.js';
import { middleHint } from './checks/mid-hint.js';
import { noteEndAfterPicture } from './checks/early-stop.js';
import { refuseClockJumps, warnSoundGaps } from './checks/clock-jumps.js';
import { warnUncheckedPairing } from './flash/pairing.js';
import { checkContinuity } from './checks/continuity.js';
import type { Ends } from './windows.js';

export { AmbiguousPulseError, type PickRule } from './choose.js';
export type { Candidate } from './streams.js';
export type FallbackRule = 'xcorr' | 'none';

export interface SyncOptions {
  /** Beep frequency, Hz (default 1000). */
  toneHz?: number;
  /** Seconds searched at each end, at most half of each file; 0 = the whole file (default 60). */
  searchS?: number;
  /** Pulses at the start only, or at both ends (drift) (default 'start'). */
  ends?: Ends;
  /** Forces a choice among candidate pulses that the policy would not place by (ambiguous or unplaceable); recorded as forced_pick. */
  pick?: PickRule | null;
  /**
   * An audio stream without a usable pulse whose content cross-correlates with a placed one: 'xcorr' places it by its
   * content (to about ±9 ms: the talkers' lag, not the beep's); 'none' refuses it, exit 2, its line saying so. Default 'xcorr'.
   * The content's checks of beep placements and its drift are used either way.
   */
  fallback?: FallbackRule;
  /** Least confidence of an xcorr placement (default 0.5, a peak ratio of 1.5). */
  minXcorrConfidence?: number;
  /**
   * A camera's picture or sound without a usable pulse of its own takes the same file's other stream's clock, its
   * unknown audio/video skew (up to 50 ms) added to offset_sd_s (default false: refused).
   */
  shareCameraClock?: boolean;
  /**
   * The session had one sync pulse (the user says so): with --search-s 0, a stream's only pulse pairs with a placed
   * stream's only pulse in the other half of its file (across.ts); needs --search-s 0 and --ends start (default false).
   */
  onePulse?: boolean;
  /** Longest side of decoded video frames for the flash search (default 320: DEFAULT_FLASH_SIDE in scan-video.ts). */
  maxSide?: number;
  /** Called with one line per stream scanned (progress). */
  onProgress?: (line: string) => void;
}

export interface SyncInput {
  file: string;
}

/** The reference stream: --ref's (else the first file's) first audio stream, or its video when it has no audio. */
function referenceOf(states: StreamState[], probes: ProbedFile[], ref: string | undefined): { ref: StreamState; reason: string } {
  const refAbs = ref !== undefined ? resolve(ref) : probes[0].abs;
  const ofRef = states.filter((s) => s.abs === refAbs);
  const st = ofRef.find((s) => s.kind === 'audio') ?? ofRef[0];
  return { ref: st, reason: `${ref !== undefined ? '--ref' : 'the first file'}'s ${st.kind === 'audio' ? 'first audio stream' : 'video stream (it has no audio)'}` };
}

/**
 * How much louder than every candidate at --tone-hz a burst at another frequency must be for the hint when there are
 * such candidates (none placeable): the choosing margin between beeps (choose.ts). A real beep at --tone-hz that was
 * refused (echo, speech over it) is played 10-20 dB over the room's sounds, so a speech harmonic does not reach it.
 */
const HINT_OVER_CANDIDATES_DB = 6;

/**
 * The hint of a stream without a usable beep: a tone burst at another frequency, in either kept window (--ends both:
 * beeps at another frequency at the end only were not hinted at before). Before 2026-12-02 it was looked for only when
 * nothing at all was found at --tone-hz: a 2 kHz beep searched at 1 kHz beside a faint 1 kHz whistle got the
 * whistle's refusal ("onset uncertain ...") and no hint (test sync-hint-end). Now also when every candidate there was
 * refused and the other burst is placeable at its frequency and HINT_OVER_CANDIDATES_DB louder than the loudest of them.
 */
function otherToneHint(st: StreamState, toneHz: number): string | undefined {
  if (st.kind !== 'audio' || !st.kept || st.detections.some((d) => d.placeable !== false)) return undefined;
  const other = findOtherToneBurst(st.kept, st.sampleRate, st.keptT0, toneHz) ?? (st.keptEnd ? findOtherToneBurst(st.keptEnd, st.sampleRate, st.keptEndT0, toneHz) : null);
  if (!other) return undefined;
  if (!st.detections.length) return ` (but a tone burst at about ${other.hz} Hz at ${other.t_s.toFixed(3)} s: --tone-hz ${other.hz}?)`;
  const loudest = Math.max(...st.detections.map((d) => Number(d.level_dbfs)));
  // A speech harmonic confirmed as a burst is seldom a clean one (a placeable beep at its own frequency).
  if (!other.placeable || !(other.level_dbfs - loudest >= HINT_OVER_CANDIDATES_DB)) return undefined;
  return ` (but a tone burst at about ${other.hz} Hz at ${other.t_s.toFixed(3)} s, ${(other.level_dbfs - loudest).toFixed(0)} dB louder than any ${toneHz} Hz candidate: --tone-hz ${other.hz}?)`;
}

/** Notes a stream without any pulse (and, for audio, a tone burst at another frequency as a hint). */
function noteMissing(st: StreamState, toneHz: number, ends: Ends): void {
  if (!st.chosen.start && !st.chosen.end) {
    st.hint = otherToneHint(st, toneHz);
    const refused = st.warnings.find((w) => w.code === 'unplaceable_pulse');
    // The hint goes with the refused candidate's line too (the refusal quotes that line).
    if (refused && st.hint) refused.message += st.hint;
    if (!refused) {
      st.warnings.push({ code: 'not_found', message: st.kind === 'audio' ? `no ${toneHz} Hz tone burst found${st.hint ?? ''}` : 'no flash found' });
    }
  } else if (ends === 'both' && (!st.chosen.start || !st.chosen.end)) {
    st.warnings.push({ code: 'no_end_pulse', message: `no usable pulse in the ${st.chosen.start ? 'end' : 'start'} window: drift unknown` });
  }
}

/**
 * Chooses the pulses of a set of streams; throws AmbiguousPulseError (exit 3) for the first ambiguous one. --pick at:T
 * applies to the reference; another sound's beep in a window where it took one is the one the content pairs with it
 * (pick-at.ts), another picture's flash the policy's (guided by its own sound's beep).
 */
function chooseAll(states: StreamState[], pick: PickRule | null, toneHz: number, ends: Ends, ref: StreamState): void {
  const ambiguous: Array<{ st: StreamState; cands: NonNullable<ReturnType<typeof choosePulses>> }> = [];
  const at = pickTimes(pick) !== null;
  // The reference first: the others' beeps are paired with the one --pick at took in it.
  for (const st of [...states].sort((x, y) => Number(y === ref) - Number(x === ref))) {
    let a = choosePulses(st, at && st !== ref ? null : pick);
    if (at && st !== ref && pick) {
      for (const w of ['start', 'end'] as const) if (ref.chosen[w] && ref.forcedPick) chooseByPairing(st, ref, w, pick);
      if (a && a.length && ref.chosen[a[0].window as 'start' | 'end'] && ref.forcedPick) a = null;
    }
    if (a) ambiguous.push({ st, cands: a });
    noteMissing(st, toneHz, ends);
  }
  if (ambiguous.length) throw new AmbiguousPulseError(ambiguous[0].st.file, ambiguous[0].st.kind, ambiguous[0].st.stream, ambiguous[0].cands, ambiguous.length - 1, ref.file);
}

/**
 * Finds the pulses in every stream of `inputs` and returns the session's clock map (paths absolute; writeSyncMap
 * makes them relative to the map's folder). Throws InputError (exit 2) when a file has no audio or video or a stream
 * cannot be placed (no usable pulse, no fallback); AmbiguousPulseError (exit 3) for similar placeable candidates
 * without `pick`. opts.ref: the reference file (its first audio stream, else its video).
 */
export async function syncSession(inputs: SyncInput[], opts: SyncOptions & { ref?: string; probe?: FileProbe } = {}): Promise<SyncMap> {
  const toneHz = opts.toneHz ?? 1000;
  const searchS = opts.searchS ?? 60;
  const ends: Ends = opts.ends ?? 'start';
  const pick = opts.pick ?? null;
  const fallback = opts.fallback ?? 'xcorr';
  checkOnePulse(opts.onePulse === true, searchS, ends);
  const probes = await probeFiles(inputs.map((i) => i.file), searchS, ends, opts.ref, opts.probe);
  const states = streamStates(probes);
  const fileOf = (s: StreamState) => probes.find((q) => q.abs === s.abs) as ProbedFile;
  const { ref, reason } = referenceOf(states, probes, opts.ref);
  const scan = { toneHz, searchS, maxSide: opts.maxSide, onProgress: opts.onProgress };
  if (states.length === 1) return singleStreamMap(ref, reason, fileOf(ref), scan, { toneHz, searchS, ends, fallback, pick, onePulse: opts.onePulse === true });
  // 1. Pulses: audio first (a camera's own beep guides its flash search), then video.
  const audio = states.filter((s) => s.kind === 'audio');
  await mapLimit(audio, 2, (s) => findAudioPulses(s, fileOf(s), scan));
  chooseAll(audio, pick, toneHz, ends, ref);
  const placing = { ends, fallback, minXcorrConfidence: opts.minXcorrConfidence ?? 0.5, shareCameraClock: opts.shareCameraClock === true, onePulse: opts.onePulse === true };
  // The sound first, so that a camera whose own beep was not found in a window is still guided there (flashGuides).
  const video = states.filter((s) => s.kind === 'video');
  if (ref.kind === 'audio' && video.length) placeStreams(audio, ref, placing);
  // 2. Place (with the pictures' flashes), 3.-4. refuse or report.
  await placeWithPictures(video, states, ref, fileOf, scan, placing, (ss) => chooseAll(ss, pick, toneHz, ends, ref));
  const ctx = { toneHz, searchS, ends, fallback, onePulse: opts.onePulse === true };
  // Under --ends start, a stream placed at its start is checked to its end window (a recording that paused mid-file).
  await checkContinuity(states, ref, probes, ctx);
  await endWindowHint(states, ref, probes, ctx);
  await lateCameraAdvice(states, ref, probes, ctx);
  await middleHint(states, ref, probes, ctx);
  refuseUnplaced(states, ref, probes, ctx);
  refuseClockJumps(states, ref);
  warnSoundGaps(states);
  warnUncheckedPairing(states);
  return buildSyncMap(states, ref, reason, { ...ctx, pick, onePulse: opts.onePulse === true });
}

/**
 * The pictures' flashes, searched where their own sound's beeps say (flashGuides) and chosen, then every stream placed;
 * under --ends both a picture whose flashes lie at one skew beyond those spans is searched again there (searchAtSkew)
 * and the streams placed again.
 */
async function placeWithPictures(video: StreamState[], states: StreamState[], ref: StreamState, fileOf: (s: StreamState) => ProbedFile, scan: Parameters<typeof findVideoPulses>[3], placing: PlaceOptions, choose: (ss: StreamState[]) => void): Promise<void> {
  const warnedBefore = new Map(video.map((s) => [s, s.warnings.length]));
  const searchVideo = (s: StreamState, skewS = 0) => {
    const whole = fileOf(s).windows[0]?.name === 'all';
    const guides = flashGuides(s, states, ref).map((g) => ({ ...g, t_s: g.t_s - skewS, ...(whole ? { window: 'all' as const } : {}) }));
    return findVideoPulses(s, fileOf(s), guides, scan);
  };
  await mapLimit(video, 2, (s) => searchVideo(s));
  choose(video);
  // A camera that stopped before the end pulse: its end window's line says so (early-stop.ts), not what the frames showed.
  video.forEach(noteEndAfterPicture);
  placeStreams(states, ref, placing);
  const again = placing.ends === 'both' ? await searchAtSkew(video, states, warnedBefore, searchVideo) : [];
  if (!again.length) return;
  choose(again);
  again.forEach(noteEndAfterPicture);
  placeStreams(states, ref, placing);
}

/**
 * Pictures whose flashes lie outside their beeps' search span at both ends by one skew (place.ts skewBothEnds: a
 * Zoom/Teams or Bluetooth sound 200-300 ms late, beyond the 3 frames + 50 ms searched) are searched again with the
 * guides moved by that skew, each flash then held to every check a guided flash gets; the first search's findings and
 * warnings are dropped. The placement then judges them as any two flashes (an agreed skew: place.ts av_skew). Returns
 * the pictures searched again (one more decode of their windows).
 */
async function searchAtSkew(video: StreamState[], states: StreamState[], warnedBefore: Map<StreamState, number>, search: (s: StreamState, skewS: number) => Promise<void>): Promise<StreamState[]> {
  const found = video.map((s) => ({ s, skew: skewBothEnds(s, states) })).filter((x): x is { s: StreamState; skew: number } => x.skew !== null);
  for (const { s, skew } of found) {
    s.warnings = s.warnings.slice(0, warnedBefore.get(s));
    s.detections = [];
    s.chosen = { start: null, end: null };
    s.forcedPick = null;
    s.refusedBy = undefined;
    s.leftOn = undefined;
    s.endAfter = undefined;
    s.searchedAtSkewS = skew;
    await search(s, skew);
  }
  return found.map((x) => x.s);
}

/** --one-pulse pairs pulses across the halves of whole files, for a session with one pulse (across.ts). */
function checkOnePulse(onePulse: boolean, searchS: number, ends: Ends): void {
  if (!onePulse) return;
  if (ends === 'both') throw new InputError('--one-pulse says the session had one sync pulse, --ends both that it had one at each end: give one of them');
  if (searchS > 0) throw new InputError(`--one-pulse pairs pulses in either half of whole files: add --search-s 0 (got --search-s ${searchS})`);
}

/**
 * One stream in the session (an audio-only row, `mmprep sync x.wav`): nothing to align, so it is its own reference
 * clock (offset 0, drift 0, method 'single_stream') with a warning that no alignment was measured. Its pulses are
 * still looked for and reported (a check of the beep), but none is needed and similar ones are no ambiguity.
 */
async function singleStreamMap(st: StreamState, reason: string, q: ProbedFile, scan: Parameters<typeof findAudioPulses>[2], o: ReportContext & { pick: PickRule | null }): Promise<SyncMap> {
  if (st.kind === 'audio') await findAudioPulses(st, q, scan);
  else await findVideoPulses(st, q, [], scan);
  choosePulses(st, o.pick);
  noteMissing(st, o.toneHz, o.ends);
  st.placed = { offset: 0, k: 0, method: 'single_stream', confidence: 1, from: null, offsetSd: 0, kSd: 0 };
  st.warnings.push({ code: 'single_stream', message: 'the only stream of the session: it is its own reference clock (offset 0); no alignment was measured' });
  warnSoundGaps([st]);
  const map = buildSyncMap([st], st, `${reason}, the only stream`, o);
  map.streams[0].confidence = 1; // exact by definition (buildSyncMap caps all but 'reference' at 0.999)
  return map;
}

function relPath(from: string, file: string): string {
  if (!isAbsolute(file)) return file.split(sep).join('/');
  const r = relative(from, file);
  return (r === '' ? '.' : r).split(sep).join('/');
}

/** The map with its file paths relative to `dir` (as sync.json stores them). */
export function relativizeSyncMap(map: SyncMap, dir: string): SyncMap {
  const fix = <T extends { file: string }>(o: T): T => ({ ...o, file: relPath(dir, o.file) });
  return {
    ...map,
    reference: fix(map.reference),
    streams: map.streams.map((e) => {
      const out = fix(e);
      if (e.placed_from && typeof e.placed_from === 'object') out.placed_from = fix(e.placed_from as { file: string });
      return out;
    }),
  };
}

/** Writes sync.json atomically (temp file + rename), paths relative to its folder, 2-space JSON + newline. */
export async function writeSyncMap(path: string, map: SyncMap): Promise<void> {
  const dir = dirname(resolve(path));
  await writeFileAtomic(path, JSON.stringify(relativizeSyncMap(map, dir), null, 2) + '\n');
}
