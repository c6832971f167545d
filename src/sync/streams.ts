/**
 * Step 1 of `mmprep sync` (see session.ts): probe the session's files and find the candidate pulses of every stream.
 * Audio streams are scanned first, so that a camera file's own beep can tell the flash search where to look
 * (FlashGuide: one device, one clock).
 */
import { resolve } from 'node:path';
import { InputError } from '../common/errors.js';
import { fileSpanS, isAttachedPicture, type ProbeResult } from '../media/probe.js';
import { probeWithPacketTimes } from '../media/probe-packets.js';
import type { DecodeErrors } from '../media/decode-video.js';
import type { StreamKind } from './clock.js';
import { scanAudioTone } from './tone/scan-audio.js';
import { DAMAGE_BEFORE_S } from './tone/tone-damage.js';
import { declaredEndS, statesExactDuration } from '../media/stream-ends.js';
import type { FlashPairHint } from './flash/flash-pair.js';
import { pairHintFor } from './flash/flash-hint.js';
import { echoShortened } from './flash/flash-pulse.js';
import { scanVideoFlash, type FlashGuide, type VideoWindowResult } from './flash/scan-video.js';
import { guidesBeforePicture, lateCameraWarning, windowsToSearch } from './checks/late-camera.js';
import { guideAfterPicture, notePairEndAfterPicture, pictureEndS } from './checks/early-stop.js';
import { searchWindows, truncatedWarning, truncatedWindow, type Ends, type SearchWindow, type SyncWarning } from './windows.js';
import { clockJumps, refuseTimesBack, type ClockJump } from './checks/clock-jumps.js';
import { refuseSameRecording } from './checks/same-recording.js';
import { shortStreams, type ShortStream } from '../media/file-end.js';

export interface ProbedFile {
  file: string;
  abs: string;
  p: ProbeResult;
  windows: SearchWindow[];
  warnings: SyncWarning[];
  /** Forward jumps of its streams' timestamps over the whole file (clock-jumps.ts; jumps back are refused). */
  jumps?: ClockJump[];
  /** Its streams that end before its other streams (src/media/file-end.ts; the same packet read as the jumps). */
  short?: ShortStream[];
}

/** A candidate pulse of one stream (a ToneDetection or FlashDetection with its window and a comparable strength). */
export interface Candidate {
  window: 'start' | 'end';
  t_s: number;
  strength: number;
  placeable?: boolean;
  unplaceable_reason?: string;
  confidence?: number;
  onset_sd_s?: number | null;
  /** A flash's fit-only onset sd (FlashDetection.fit_onset_sd_s), for the placement's gates (place.ts gateSd). */
  fit_onset_sd_s?: number;
  duration_s?: number | null;
  [k: string]: unknown;
}

export interface Placement {
  offset: number;
  k: number | null;
  method: string;
  confidence: number;
  from: StreamState | null;
  /** Standard uncertainty of the offset and of the drift (a rate, not ppm), when known. */
  offsetSd: number | null;
  kSd: number | null;
  /**
   * The sd (s) of the difference between the talkers' lag and the beep's that a placement by content carries (and a
   * stream placed from such a stream inherits): content-lag.ts. Absent: none. Not in offsetSd, which the checks use.
   */
  lagSd?: number;
  /**
   * The stream time its offset was measured at, where no pulse of its own placed it: a placement by content (xcorr),
   * its start window's middle. report.ts carries an unmeasured drift's sd from there to time 0 (reportedSds).
   */
  offsetAtS?: number;
  extra?: Record<string, unknown>;
  /**
   * The windows whose chosen pulses of this stream the clock was computed from (placeByPulse); absent: none (placed by
   * another route). The reference's are filled in by the report (the pulses other streams were placed against).
   */
  used?: Array<'start' | 'end'>;
  /** The windows of `from`'s pulses it was placed against, when not the same as `used` (--one-pulse: across.ts). */
  fromUsed?: Array<'start' | 'end'>;
  /**
   * A placement by content (xcorr) that measured a drift: that drift's sd (place.ts contentDriftSd). Not in kSd (the
   * placement rules that weigh a pulse-measured kSd do not take it); sync.json reports it as the sound's drift_sd_ppm
   * (report.ts reportedKSd), and a picture of the same file that takes this drift takes this sd.
   */
  contentKSd?: number;
  /** Set once crossCheck (place.ts) has looked at this placement. */
  checked?: boolean;
}

export interface StreamState {
  file: string;
  abs: string;
  kind: StreamKind;
  stream: number;
  /** Frame period of a video stream, seconds (null for audio or unknown). */
  frameS: number | null;
  /** The stream's stated length, s (else its file's; null when neither is stated): for drift_unmeasured (report.ts). */
  lengthS: number | null;
  /** Presentation time of the stream's first decoded sample (ffprobe start_time; MP3: the encoder delay). */
  firstSampleS: number;
  detections: Array<Record<string, unknown>>;
  chosen: { start: Candidate | null; end: Candidate | null };
  /** Set when --pick chose a pulse that the policy alone would not have placed the stream by. */
  forcedPick: string | null;
  warnings: SyncWarning[];
  kept: Float32Array | null;
  keptT0: number;
  keptEnd: Float32Array | null;
  keptEndT0: number;
  /**
   * Whether `kept` holds the stream to its end: its first window was decoded to the file's end and kept whole (a short
   * file's whole-file start window). A check reading its end then slices it rather than decoding it again (continuity.ts).
   */
  keptToEnd?: boolean;
  /** A hint for messages (a tone burst at another frequency; one in the end window under --ends start: end-hint.ts). */
  hint?: string;
  /**
   * Beeps found past the start window's pulse limit (pulses_before_s: a short file's start window is decoded whole
   * for cross-correlation, its second half is the end window): not candidates, kept for end-hint.ts.
   */
  later?: Array<Record<string, unknown>>;
  sampleRate: number;
  placed: Placement | null;
  /** Set when a check refused a placement (the stream is then not placed again). */
  refusedBy?: string;
  /** A picture searched again with its guides moved by this skew (s, its sound later than its picture), where both ends' flashes lay that far outside its beeps' spans (session.ts searchAtSkew). */
  searchedAtSkewS?: number;
  /**
   * Set where the stream's drift was left unknown because its content's drift lay at the edge of the range searched
   * (place.ts driftAtLimitWarning, "the drift is left unknown"): it may run beyond that edge (report.ts reportedSds).
   */
  driftBeyondSearch?: boolean;
  /** A picture: a light switched on at its camera's beep and left on, per window (scan-video.ts), named when nothing is placed there. */
  leftOn?: Partial<Record<'start' | 'end', NonNullable<VideoWindowResult['left_on']>>>;
  /** A picture without its own beep: the reference's start/end beeps for the pair search (set by flashGuides). */
  flashPair?: FlashPairHint;
  /** A camera's end guide that falls after its picture's last frame (early-stop.ts), and where the picture ends. */
  endAfter?: { guide: FlashGuide; endS: number };
  /** Forward jumps of this stream's timestamps anywhere in its file (clock-jumps.ts). */
  jumps?: ClockJump[];
  /** What ffmpeg reported of damaged data in its search windows: a picture's (flash-damage.ts), a sound's errors (tone-damage.ts). */
  decodeErrors?: DecodeErrors | { errors: number };
}

/**
 * A file's ffprobe reading: probe() with its packet times (probe-packets.ts: one ffprobe run for the probe and the
 * clock-jump and stream-end reads below), or a caller's reading of the same file (extract reads each input once).
 */
export type FileProbe = (file: string) => Promise<ProbeResult>;

export async function probeFiles(files: string[], searchS: number, ends: Ends, ref: string | undefined, probeFile: FileProbe = probeWithPacketTimes): Promise<ProbedFile[]> {
  if (files.length === 0) throw new InputError('no media files given');
  const seen = new Map<string, string>();
  const probes: ProbedFile[] = [];
  for (const file of files) {
    const abs = resolve(file);
    const first = seen.get(abs);
    if (first !== undefined) throw new InputError(`given twice${first !== file ? ` (also as ${first})` : ''}: give each recording once`, { file });
    seen.set(abs, file);
    const p = await probeFile(file);
    if (!p.streams.some((s) => s.type === 'audio' || s.type === 'video')) throw new InputError('has no audio or video stream', { file });
    const { windows, warnings } = searchWindows(file, fileSpanS(p), searchS, ends);
    probes.push({ file, abs, p, windows, warnings, jumps: [] });
  }
  if (ref !== undefined && !probes.some((q) => q.abs === resolve(ref))) {
    throw new InputError(`--ref ${ref} is not one of the media files given`, { file: ref });
  }
  await refuseSameRecording(probes);
  for (const q of probes) {
    q.jumps = await clockJumps(q.p);
    refuseTimesBack(q.file, q.p, q.jumps);
    q.short = await shortStreams(q.p);
  }
  return probes;
}

/**
 * A picture that is not a video: cover art (an MP3's, M4A's or FLAC's attached JPEG or PNG: an image codec with no
 * average frame rate). Motion-JPEG video (a webcam's AVI or MOV) has one and is a picture to search. Before
 * 2026-12-02 every mjpeg stream was left out: a webcam's MJPEG AVI was synced as its sound alone, exit 0, and the
 * picture missing from sync.json (a new user's trial; test sync-mjpeg-video).
 */
export function isStill(s: ProbedFile['p']['streams'][number]): boolean {
  return isAttachedPicture(s) || /^(mjpeg|png|bmp)$/.test(s.codec ?? '') && !((s.fps_avg ?? 0) > 0 && (s.n_frames ?? 2) > 1);
}

/** One state per stream: every audio stream, then every video stream (stills excluded), of every file, in input order. */
export function streamStates(probes: ProbedFile[]): StreamState[] {
  const states: StreamState[] = [];
  for (const q of probes) {
    const audio = q.p.streams.filter((s) => s.type === 'audio');
    const video = q.p.streams.filter((s) => s.type === 'video' && !isStill(s));
    for (const [kind, list] of [['audio', audio], ['video', video]] as const) {
      list.forEach((s, n) => {
        const fps = s.fps_avg ?? s.fps_real;
        states.push({
          file: q.file,
          abs: q.abs,
          kind,
          stream: n,
          frameS: kind === 'video' && fps ? 1 / fps : null,
          firstSampleS: s.start_time_s ?? q.p.start_time_s ?? 0,
          lengthS: s.duration_s ?? fileSpanS(q.p),
          detections: [],
          chosen: { start: null, end: null },
          forcedPick: null,
          warnings: [...q.warnings, ...shortStreamWarning(q, kind, n)],
          kept: null,
          keptT0: 0,
          keptEnd: null,
          keptEndT0: 0,
          sampleRate: 0,
          placed: null,
          jumps: (q.jumps ?? []).filter((j) => j.index === s.index),
        });
      });
    }
  }
  return states;
}

/**
 * `short_stream`: a stream that ends before its file's other streams (a camera whose picture stopped while its sound
 * went on), in extract's line (which fails such a session): it is placed by what it holds, but does not cover the
 * file's span, so features made with this map miss its end.
 */
function shortStreamWarning(q: ProbedFile, kind: 'audio' | 'video', n: number): SyncWarning[] {
  return (q.short ?? []).filter((s) => s.kind === kind && s.n === n).map((s) => ({ code: 'short_stream', message: s.text }));
}

export async function mapLimit<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]);
    }
  });
  await Promise.all(workers);
}

/** A whole-file window is split into halves: detections in the first half belong to 'start', the rest to 'end'. */
function windowOf(t: number, w: string, halfS: number): 'start' | 'end' {
  return w === 'all' ? (t < halfS ? 'start' : 'end') : (w as 'start' | 'end');
}

/**
 * The middle of a file on its streams' clock (its first timestamp + half its span). A file whose container states no
 * length (a WebM or MKV written to a pipe) is searched whole as one window (windows.ts): its middle is that of what
 * was decoded (`from`: where the decoded seconds count from). Before 2026-12-02 it was Infinity there, so a pulse in
 * its second half was a second start pulse: beeps at both ends stopped the run as ambiguous (exit 3, "2 tone bursts
 * ... in the start window") and --ends both measured no drift (test sync-unknown-length).
 */
function halfOf(p: ProbeResult, decoded: Array<{ window: SearchWindow; decoded_s: number }>, from: number): number {
  const span = fileSpanS(p);
  if (span !== null) return (p.start_time_s ?? 0) + span / 2;
  const all = decoded.find((w) => w.window.name === 'all');
  return all ? from + all.decoded_s / 2 : Infinity;
}

export interface ScanOptions {
  toneHz: number;
  searchS: number;
  maxSide?: number;
  onProgress?: (line: string) => void;
}

/**
 * Where a stream starts and ends on its file's timeline by the header (its own duration, else the container's), for
 * the truncation warning; end null for containers that do not state it exactly (decode-audio.ts statesExactDuration).
 */
function declaredSpan(q: ProbedFile, n: number, kind: 'audio' | 'video'): { start: number; end: number | null } {
  const s = q.p.streams.filter((x) => x.type === kind)[n];
  const p0 = q.p.start_time_s ?? 0;
  const start = Math.max(0, (s?.start_time_s ?? p0) - p0);
  if (!s || !statesExactDuration(q.p.container)) return { start, end: null };
  // Its own end (Matroska: the DURATION tag, so a sound shorter than its file's picture is not called truncated).
  const end = declaredEndS(q.p, s);
  return { start, end: end === null ? fileSpanS(q.p) : end - p0 };
}

/**
 * The `truncated` warning of a stream's windows (windows.ts truncatedWindow), or null. A sound's decoded seconds
 * count from its first sample, so its late start is not missing; a picture's count from the window's start already
 * (scan-video.ts decoded_s).
 */
function truncation(windows: Array<{ window: SearchWindow; decoded_s: number }>, q: ProbedFile, st: StreamState, frameS = 0): SyncWarning | null {
  const span = declaredSpan(q, st.stream, st.kind);
  return truncatedWarning(windows.map((w) => truncatedWindow(w.window, w.decoded_s, span.end, frameS, st.kind === 'audio' ? span.start : 0)));
}

/**
 * Whether a scan's kept samples run from the stream's first sample to the file's end: its first window starts at 0 and reaches the end (no length, or to the file's
 * stated span) and every sample decoded there was kept (not cut by keepS nor at a jump of the timestamps).
 */
function keptToFileEnd(scan: Awaited<ReturnType<typeof scanAudioTone>>, q: ProbedFile): boolean {
  const w = scan.windows[0];
  const span = fileSpanS(q.p);
  if (!w || !scan.kept || w.gaps.length || w.window.start_s !== 0) return false;
  const toEnd = w.window.duration_s === null || (span !== null && w.window.start_s + w.window.duration_s >= span);
  return toEnd && scan.kept.length === Math.round(w.decoded_s * scan.sampleRate);
}

export async function findAudioPulses(st: StreamState, q: ProbedFile, o: ScanOptions): Promise<void> {
  const scan = await scanAudioTone(q.file, q.windows, { toneHz: o.toneHz, stream: st.stream, probed: q.p, keepS: Math.min(o.searchS > 0 ? o.searchS : 120, 120) });
  st.kept = scan.kept;
  st.keptT0 = scan.keptT0;
  st.keptEnd = scan.keptEnd;
  st.keptEndT0 = scan.keptEndT0;
  st.sampleRate = scan.sampleRate;
  st.keptToEnd = keptToFileEnd(scan, q);
  if (scan.firstSampleS !== null) st.firstSampleS = scan.firstSampleS;
  const dur = halfOf(q.p, scan.windows, st.firstSampleS);
  const cut = truncation(scan.windows, q, st);
  if (cut) st.warnings.push(cut);
  st.decodeErrors = { errors: scan.windows.reduce((n, w) => n + w.decode_errors, 0) };
  if (st.decodeErrors.errors > 0) st.warnings.push(soundDecodeErrorsWarning(st.decodeErrors.errors));
  for (const w of scan.windows) {
    const until = w.window.pulses_before_s === undefined ? Infinity : w.window.pulses_before_s + st.firstSampleS;
    for (const d of w.detections) if (d.t_s < until) st.detections.push({ ...d, window: windowOf(d.t_s, d.window, dur) });
    else (st.later ??= []).push(d as unknown as Record<string, unknown>);
  }
  o.onProgress?.(`${q.file}: audio stream ${st.stream}: ${st.detections.length} candidate pulse(s)`);
}

export async function findVideoPulses(st: StreamState, q: ProbedFile, guides: FlashGuide[], o: ScanOptions): Promise<void> {
  // The picture is decoded only where pulses count (the cross-correlation fallback is for sound), and not for a pulse
  // before its first frame (a camera that started late: late-camera.ts).
  const { kept, missed } = guidesBeforePicture(guides, st.firstSampleS);
  const windows = windowsToSearch(q.windows, kept, missed).map((w) => (w.pulses_before_s === undefined ? w : { ...w, duration_s: w.pulses_before_s }));
  const scan = await scanVideoFlash(q.file, windows, { stream: st.stream, probed: q.p, maxSide: o.maxSide, guides: guides.length ? kept : undefined, pairHint: guides.length ? undefined : st.flashPair });
  for (const g of missed.slice(0, 1)) st.warnings.push(lateCameraWarning(g, st.firstSampleS, q.windows.some((w) => w.name !== 'start')));
  const endS = pictureEndS(st, q);
  const after = guideAfterPicture(kept, endS);
  if (after) st.endAfter = { guide: after, endS: endS as number };
  const dur = halfOf(q.p, scan.windows, q.p.start_time_s ?? 0);
  const frameS = st.frameS;
  const cut = frameS === null ? null : truncation(scan.windows, q, st, frameS);
  if (cut) st.warnings.push(cut);
  const odd = flashLengthWarning(scan.windows, kept, frameS);
  if (odd) st.warnings.push(odd);
  st.decodeErrors = scan.decode_errors;
  const damaged = decodeErrorsWarning(scan.decode_errors);
  if (damaged) st.warnings.push(damaged);
  for (const w of scan.windows) for (const d of w.detections) st.detections.push({ ...d, window: windowOf(d.t_s, d.window, dur) });
  // A soundless camera that stopped before the end pulse: its start candidate's line says so (early-stop.ts).
  notePairEndAfterPicture(st, endS);
  for (const w of scan.windows) if (w.left_on) (st.leftOn ??= {})[windowOf(w.left_on.t_s, w.window.name, dur)] = w.left_on;
  o.onProgress?.(`${q.file}: video stream ${st.stream}: ${st.detections.length} candidate pulse(s)${guides.length ? ` (guided by its own beep at ${guides.map((g) => g.t_s.toFixed(3)).join(', ')} s)` : ''}`);
}

/** ffmpeg's reports of damaged data in the sound's search windows, in one warning (as `mmprep audio` words it). */
function soundDecodeErrorsWarning(errors: number): SyncWarning {
  return {
    code: 'decode_errors',
    message: `ffmpeg reported ${errors} decode error(s) in the searched sound (decode_errors): parts of it were decoded from damaged data (packets skipped or patched), and a beep read from samples among them (${DAMAGE_BEFORE_S} s before its onset to its end) is not used; re-encode from the original recording, or replace the file with an undamaged copy`,
  };
}

/** ffmpeg's reports of damaged data in the picture's search windows, in one warning (as `mmprep face` words it). */
function decodeErrorsWarning(d: DecodeErrors): SyncWarning | null {
  if (d.errors === 0 && d.concealed_frames === 0) return null;
  return {
    code: 'decode_errors',
    message: `ffmpeg reported ${d.errors} decode error(s) and patched up ${d.concealed_frames} damaged picture(s) in the searched frames (decode_errors): a flash among damaged frames is not used; re-encode from the original recording, or replace the file with an undamaged copy`,
  };
}

/**
 * A guided flash whose frames fit another length than the reference's beep (flash-pulse.ts fitPulseChecked): the LED
 * and the tone from separate drivers, or compression blurring the partly lit frames (scene variant 46: LED and beep
 * both 169 ms, the frames fitting 150 ms). Its onset was fitted with the frames' own length, the shutter not told;
 * a length shorter than the beep by up to its room's echo tail (flash-pulse.ts echoShortened) is named so (its onset
 * refitted with that length known, the shutter told, where the free fit timed it beyond a quarter frame: flash.ts fitOnset).
 */
function flashLengthWarning(windows: Array<{ window: SearchWindow; detections: Array<{ guided?: boolean; placeable?: boolean; duration_s: number | null }> }>, guides: FlashGuide[], frameS: number | null): SyncWarning | null {
  const ms = (s: number) => (s * 1000).toFixed(0);
  const said: string[] = [];
  for (const g of guides) {
    const w = windows.find((x) => x.window.name === g.window);
    const d = w?.detections.find((x) => x.guided && x.placeable);
    if (g.duration_s === null || !d || d.duration_s === null || Math.abs(d.duration_s - g.duration_s) < 1e-4) continue;
    const echo = frameS !== null && echoShortened(d.duration_s, g.duration_s, frameS);
    const why = echo ? "the beep heard longer through its room's echo tail, or an LED lit shorter" : "an LED lit for another length, or the codec's blur of the partly lit frames";
    said.push(`${g.window}: the frames fit a flash of ~${ms(d.duration_s)} ms better than the reference's beep of ${ms(g.duration_s)} ms (${why}); its onset is fitted with that length (its rising edge)${echo ? '' : ', the shutter not told'}`);
  }
  return said.length ? { code: 'flash_length', message: said.join('; ') } : null;
}

/**
 * Where a camera file's picture must show the flash: at its own sound's chosen beep (same container clock), within
 * 3 frames + 50 ms of audio/video skew inside cameras; the pulse length from the reference microphone (the beep as
 * heard at the camera is stretched by room echo). In a window where the camera's sound has no beep of its own but
 * is already placed (by its other end's beep or by cross-correlation), the reference's pulse mapped onto the sound's
 * clock says where the beep was, so the flash is still searched there.
 */
export function flashGuides(video: StreamState, states: StreamState[], ref: StreamState | undefined): FlashGuide[] {
  const sound = sameFileStreams(video, states).find((s) => s.kind === 'audio' && (s.chosen.start || s.chosen.end || s.placed));
  if (!sound) {
    // No sound of its own: the session's beeps give the pulse length and, at both ends, the start/end interval.
    const h = pairHintFor(ref, states);
    if (h) video.flashPair = h.hint;
    if (h?.note) video.warnings.push({ code: 'other_route', message: h.note });
    return [];
  }
  const tolerance = 3 * (video.frameS ?? 1 / 25) + 0.05;
  const guides: FlashGuide[] = [];
  for (const w of ['start', 'end'] as const) {
    const refPulse = ref && ref.kind === 'audio' && ref !== sound ? ref.chosen[w] : null;
    const t = sound.chosen[w]?.t_s ?? mappedPulse(refPulse, ref, sound);
    if (t === null) continue;
    const dur = refPulse?.duration_s ?? null;
    guides.push({ window: w, t_s: t, tolerance_s: tolerance, duration_s: typeof dur === 'number' ? dur : null });
  }
  return guides;
}

/**
 * The other streams of s's file, those with a chosen pulse first (otherwise in file order): a camera whose first audio
 * track is silent and whose microphone is the second (ttrial46 row 5) has its picture guided by, and checked against,
 * the track that heard the beep; before 2026-12-06 the silent track was taken and the picture refused "without the
 * camera's own beep".
 */
export function sameFileStreams(s: StreamState, states: StreamState[]): StreamState[] {
  const others = states.filter((o) => o !== s && o.abs === s.abs);
  const pulsed = (o: StreamState) => Boolean(o.chosen.start || o.chosen.end);
  return [...others.filter(pulsed), ...others.filter((o) => !pulsed(o))];
}

/** The reference's pulse on a placed stream's own clock (t_ref = t_src·(1 + k) + offset, solved for t_src), or null. */
function mappedPulse(refPulse: Candidate | null, ref: StreamState | undefined, s: StreamState): number | null {
  if (!refPulse || !ref?.placed || !s.placed || s === ref) return null;
  const tRef = refPulse.t_s * (1 + (ref.placed.k ?? 0)) + ref.placed.offset;
  return (tRef - s.placed.offset) / (1 + (s.placed.k ?? 0));
}
