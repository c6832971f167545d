/**
 * Step 4 of `mmprep sync`: refuse with one line naming the stream that could not be placed and why, or build the
 * SyncMap (clock.ts) with every stream's offset, drift and their uncertainties, chosen pulses, candidates and warnings.
 */
import { InputError } from '../common/errors.js';
import { shellWord, siblingName } from '../common/shell.js';
import { VERSION } from '../common/version.js';
import type { SyncMap, SyncStreamEntry } from './clock.js';
import { farSkewNote, MAX_DRIFT, skewNote } from './place.js';
import { chapterNote } from './checks/chapters.js';
import { unpairedPulseWhy } from './checks/unpaired.js';
import { endAfterWhy } from './checks/early-stop.js';
import { reportedOffsetSd } from './xcorr/content-lag.js';
import type { Placement, ProbedFile, StreamState } from './streams.js';
import { flashRegionText, type FlashRegion } from './flash/flash.js';
import type { Ends, SyncWarning } from './windows.js';

const r7 = (v: number) => Math.round(v * 1e7) / 1e7;
const r3 = (v: number) => Math.round(v * 1e3) / 1e3;
/** Drift uncertainty above which a warning says the span between the pulses is too short to trust it. */
const DRIFT_SD_WARN_PPM = 20;
/**
 * `drift_unmeasured`: the clock drift of consumer recorders and cameras (20-100 ppm, issue #11's realistic set) over a
 * stream placed at its start alone; warned where 100 ppm would move its end by more than half a 25 fps frame.
 */
const DRIFT_UNMEASURED_PPM = [20, 100] as const;
const DRIFT_UNMEASURED_WARN_S = 0.02;
/**
 * The drift's standard uncertainty taken for a placed stream whose drift is not measured (drift_ppm null, 0 applied):
 * recorders and cameras run within ±100 ppm of each other (DRIFT_UNMEASURED_PPM's upper end), taken as a rectangular
 * distribution, 100 / √3 = 57.7 ppm (GUM, JCGM 100:2008, 4.3.7). sync.json's drift_sd_ppm says it, and offset_sd_s (the
 * clock at the stream's time 0) carries it from the time the offset was measured at (unknownDriftSds), so that
 * offset_sd_s with drift_sd_ppm over the time bounds the clock's error at any time of the stream. Before 2026-12-06
 * both left it out: room variant 160's microphone without its end beep lay 1.53 ms off at that beep, 4 sd of its
 * offset_sd_s (0.38 ms).
 */
const UNMEASURED_DRIFT_SD = (DRIFT_UNMEASURED_PPM[1] * 1e-6) / Math.sqrt(3);
/**
 * The same for a stream whose content's drift lay at the edge of the range searched (±250 ppm, `drift_at_limit`: "the
 * drift is left unknown"): its clock runs at least that far off, so ±100 ppm does not cover it. Taken as the whole
 * plausible range, ±MAX_DRIFT (500 ppm) rectangular: 288.7 ppm. Before session 51 such a stream said 57.7 ppm: a
 * recorder 300 ppm off (test sync-drift-limit's) is 15 ms off 50 s from where its offset was measured, where 57.7 ppm
 * admits 2.9 ms.
 */
const BEYOND_SEARCH_DRIFT_SD = MAX_DRIFT / Math.sqrt(3);
/**
 * A picture whose offset this many sds wide reaches beyond half a frame (the accuracy target) warns offset_uncertain:
 * a two-sided 95 % bound. Warned, not refused, for a flash fitted with the reference beep's length: on the scene sets
 * such pictures were mostly within the target (a wide sd there says the frames cannot tell the shutter, not that the
 * onset is wrong; scene variant 151, 2026-12-06: 7 of 28 placed pictures past the bound, all 7 within half a frame,
 * at most 0.37 frame), and a refusal would lose them. A flash fitted with its frames' own length (the beep's
 * rejected: only its rising edge times it) is not used past the same bound (flash.ts ownLengthReason, 2026-12-06).
 */
const OFFSET_SD_WARN_SDS = 2;

export function roundDetection(d: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) {
    if (typeof v !== 'number') out[k] = v && typeof v === 'object' ? roundDetection(v as Record<string, unknown>) : v;
    else if (k === 't_s' || k === 'duration_s' || k === 'onset_sd_s' || k === 'fit_onset_sd_s') out[k] = r7(v);
    else out[k] = k.endsWith('_px') ? v : r3(v);
  }
  return out;
}

export interface ReportContext {
  toneHz: number;
  searchS: number;
  ends: Ends;
  fallback: 'xcorr' | 'none';
  /** --one-pulse (across.ts); absent: off. */
  onePulse?: boolean;
}

function searched(o: ReportContext): string {
  return o.searchS > 0 ? `the first${o.ends === 'both' ? ' and last' : ''} ${o.searchS} s (or half the file when shorter)` : 'the whole file';
}

/**
 * A sound that decodes to (near) digital silence has no beep for a reason the beep advice does not cover: most often
 * a stereo recording whose channels cancel in the mono average (one of them in opposite polarity, a miswired
 * balanced cable). A new user's trial (2026-12-02): such a lav was refused as "no 1000 Hz tone burst" with the advice
 * to choose another --ref (test sync-silent-ref).
 */
function silenceNote(s: StreamState): string {
  // A stream that decodes to no sample at all (a WAV header without data: a recorder that never wrote; trial
  // 2026-12-06 C3 was told only "no tone burst ... choose another --ref").
  if (s.kept && s.kept.length === 0 && !s.keptEnd?.length) return ' (it decodes to no audio samples at all: an empty or truncated stream, such as a WAV header without data; check the recording)';
  if (!s.kept?.length) return '';
  let p = 0;
  for (const v of s.kept) p += v * v;
  const db = 10 * Math.log10(Math.max(p / s.kept.length, 1e-20));
  if (db > -80) return '';
  const left = `ffmpeg -i ${shellWord(s.file)} -af "pan=mono|c0=c0" ${shellWord(siblingName(s.file, '-left.wav'))}`;
  return ` (its sound decodes to silence, ${db <= -199 ? 'digital zero' : `${db.toFixed(0)} dBFS`}, over the ${(s.kept.length / s.sampleRate).toFixed(1)} s decoded: a stereo recording whose two channels cancel when averaged, one of them in opposite polarity, does that; sync one channel of it: ${left})`;
}

/** Why a stream has no pulse of its own, for messages. */
function noPulseWhy(s: StreamState, o: ReportContext): string {
  // A camera that stopped before the end pulse: both windows said (early-stop.ts).
  const early = endAfterWhy(s);
  if (early) return early;
  const refused = s.warnings.find((w) => w.code === 'unplaceable_pulse');
  if (refused) return refused.message;
  // A soundless camera has no length-free look to name a light lit throughout (scan-video.ts): the line says what a
  // flash is, so an LED left on is not taken for a missing one.
  return s.kind === 'audio' ? `no ${o.toneHz} Hz tone burst in ${searched(o)}${s.hint ?? ''}${silenceNote(s)}` : `no flash in ${searched(o)} (no light in view went on and off again as a pulse does: check that the LED is in view and dark before and after each pulse; one lit throughout shows none)`;
}

/** Why the first stream the content could not place was not placed by it (its xcorr_weak warning), for the no-pulse line. */
function contentWhy(states: StreamState[]): string {
  const s = states.find((x) => x.warnings.some((w) => w.code === 'xcorr_weak'));
  const w = s?.warnings.find((x) => x.code === 'xcorr_weak');
  return s && w ? ` (${s.file} ${s.kind}: ${w.message})` : '';
}

/**
 * Under --fallback none, where no stream has a pulse but content would align some: which, and how far it
 * is trusted (place.ts contentOnlyRefusal), so the line says what --fallback xcorr would do.
 */
function contentOnlyNote(states: StreamState[]): string {
  const only = states.filter((x) => x.refusedBy === 'content_only');
  if (!only.length) return '';
  return `; the content of ${only.map((x) => `${x.file} ${x.kind} stream ${x.stream}`).join(', ')} would align ${only.length > 1 ? 'them' : 'it'} with the reference, but only to about ±9 ms (the talkers' lag, not a beep's): rerun with --fallback xcorr to accept that, or record a beep every microphone hears`;
}

/** Throws the one-line InputError (exit 2) when a stream is left unplaced. */
export function refuseUnplaced(states: StreamState[], ref: StreamState, probes: ProbedFile[], o: ReportContext): void {
  const hasPulse = (s: StreamState) => Boolean(s.chosen.start ?? s.chosen.end);
  const anyXcorr = states.some((s) => s.placed?.method === 'xcorr');
  if (!states.some(hasPulse) && !anyXcorr && states.length > 0) {
    const names = probes.map((q) => q.file).join(', ');
    const refused = states.flatMap((s) => s.warnings.filter((w) => w.code === 'unplaceable_pulse').map((w) => `${s.file} ${s.kind}: ${w.message}`));
    const also = refused.length ? ` (${refused.slice(0, 2).join('; ')}${refused.length > 2 ? `; ${refused.length - 2} more` : ''})` : '';
    // A hint already in a refused candidate's line quoted above (session.ts otherToneHint) is not said twice.
    const hint = states.map((s) => s.hint ?? '').find((h) => h && !also.includes(h)) ?? '';
    throw new InputError(`no usable sync pulse (${o.toneHz} Hz tone burst or flash) found in ${searched(o)} of any stream${hint}${also}${o.fallback === 'xcorr' ? `, and no two audio tracks could be aligned by content${contentWhy(states)}` : contentOnlyNote(states)}`, { file: names });
  }
  const unplaced = states.filter((s) => !s.placed);
  if (!unplaced.length) return;
  const s = unplaced[0];
  if (!hasPulse(ref) && !states.some((x) => x.placed && x !== ref && hasPulse(x))) {
    throw new InputError(
      `the reference ${ref.kind} stream ${ref.stream} has ${noPulseWhy(ref, o)}, so ${s.file} ${s.kind} stream ${s.stream} cannot be put on its clock${unplaced.length > 1 ? ` (nor ${unplaced.length - 1} more stream(s))` : ''}${noRouteAdvice(s, states, ref, o)}`,
      { file: ref.file },
    );
  }
  // One line per refused stream (ttrial49: a partner's line sat only in the warnings): the first is the error's, each
  // other its own line after it (run.ts reportError), each naming its file.
  const lines = unplaced.map((x) => unplacedLine(x, states, probes, o));
  const more = unplaced.length > 1 ? ` (${unplaced.length - 1} more stream(s) unplaced: ${unplaced.length > 2 ? 'their lines follow' : 'its line follows'})` : '';
  throw new InputError(lines[0].message + more, { file: s.file }, undefined, lines.slice(1).map((l) => new InputError(l.message, { file: l.file })));
}

/**
 * The content's part of an unplaced stream's line: content that would place it (--fallback none refuses that: place.ts
 * contentOnlyRefusal), or why it would not. Under --fallback none the latter was left out, so the line did not say
 * whether the content would place the stream, as the option's help promises (tuser59: a microphone whose content
 * matched at two lags). Not for a stream whose own pulse found no partner (--fallback none: that pulse is its route).
 */
function contentPart(s: StreamState, o: ReportContext, hasPulse: boolean): string | undefined {
  const only = s.warnings.find((w) => w.code === 'content_only');
  if (only) return only.message;
  if (o.fallback === 'xcorr') return s.warnings.find((w) => w.code === 'xcorr_weak')?.message;
  // A stream with a pulse of its own that found no partner: its line is about that pulse (unpaired.ts).
  if (hasPulse) return undefined;
  const weak = s.warnings.find((w) => w.code === 'xcorr_weak' && w.message.startsWith('cross-correlation with '));
  return weak ? `its content would not place it under --fallback xcorr either: ${weak.message}` : undefined;
}

/** The refusal line of one unplaced stream (its file apart): why it was not placed and what may place it. */
function unplacedLine(s: StreamState, states: StreamState[], probes: ProbedFile[], o: ReportContext): { message: string; file: string } {
  const disagree = s.warnings.find((w) => w.code === 'xcorr_disagrees' || w.code === 'pulses_disagree' || w.code === 'sound_disagrees' || w.code === 'container_disagrees' || w.code === 'discontinuous' || w.code === 'beep_pairing')?.message;
  if (disagree) return { message: `${s.kind} stream ${s.stream} cannot be put on the reference clock: ${disagree}`, file: s.file };
  const skew = skewNote(s, states, o.ends);
  // A stream with a pulse of its own is not said to have none (unpaired.ts: it had no partner in its window). A
  // picture's flash far from its own sound's beep is the reason, and said first (ttrial46 row 9: the line began with
  // an unrelated candidate).
  const unpaired = unpairedPulseWhy(s, states, o);
  const own = unpaired ?? noPulseWhy(s, o);
  const weak = contentPart(s, o, unpaired !== null);
  const why = (farSkewNote(s, states) ? [skew, own, weak] : [own, weak, skew]).filter(Boolean).join(', and ');
  return { message: `${s.kind} stream ${s.stream} cannot be put on the reference clock: ${why}${soundlessFlashAdvice(s, states, o)}${chapterNote(s, states, probes)}`, file: s.file };
}

/**
 * What to do when a camera without sound of its own had a flash candidate and it was refused (it did not stand out, or
 * fitted a pulse only loosely): the line said why and not what to do, where a camera with sound is told of --ends
 * both and --share-camera-clock (a new user's trial). Its flash is searched alone, so it must stand far out of the
 * picture's other changes (docs/sync.md "The LED"). Under --ends start. For a recording that cannot be made again, the
 * line names --pick strongest and its risk (a new user's trial, 2026-12-05: it placed the demo's soundless camera 20
 * ms off, and no line had said it exists).
 */
function soundlessFlashAdvice(s: StreamState, states: StreamState[], o: ReportContext): string {
  if (s.kind !== 'video' || states.some((x) => x.kind === 'audio' && x.file === s.file)) return '';
  // Under --ends both the pair was searched, and its lines say what the other end showed.
  if (o.ends === 'both' || !s.warnings.some((w) => w.code === 'unplaceable_pulse' && / not used: /.test(w.message))) return '';
  return `${flashCandidatesNote(s)}; without the camera's own sound its flash is searched alone: record the camera's sound (its beep says where the flash is), or pulse at both ends and run with --ends both (the two flashes are then searched as a pair), and check that the LED is in view and dark before and after each pulse (docs/sync.md "The LED"); for a session already recorded, --pick strongest places the picture by its strongest flash candidate with no check (marked forced_pick): look at that candidate's time and region in the detections first, and check the placement by eye (a wrong flash puts every frame that far off)`;
}

/** How many flash candidates a soundless picture's refusal names. */
const NAMED_FLASHES = 3;

/**
 * A soundless picture's flash candidates with a score (time, score, region), strongest first, and which one each
 * --pick rule would take: the line named only the strongest, where the LED was the second (a new user's trial,
 * 2026-12-06, R1: a head roll at 3.982 s scored 494, the LED at 1.782 s 330; --pick strongest put the picture 2.18 s
 * off). Empty with fewer than two candidates (the line names the one).
 */
function flashCandidatesNote(s: StreamState): string {
  // The start window's: the one --pick chooses in under --ends start (a whole-file search's second half is 'end').
  const scored = s.detections.filter((d) => d.window === 'start' && typeof d.score === 'number' && typeof d.t_s === 'number');
  if (scored.length < 2) return '';
  const byScore = scored.slice().sort((a, b) => Number(b.score) - Number(a.score) || Number(a.t_s) - Number(b.t_s));
  const at = (d: (typeof scored)[number]) => `${Number(d.t_s).toFixed(3)} s`;
  const where = (d: (typeof scored)[number]) => (d.region ? ` at ${flashRegionText(d.region as Partial<FlashRegion>)}` : '');
  const list = byScore.slice(0, NAMED_FLASHES).map((d) => `${at(d)} (score ${Number(d.score).toFixed(1)}${where(d)})`).join(', ');
  const first = scored.slice().sort((a, b) => Number(a.t_s) - Number(b.t_s))[0];
  const more = byScore.length > NAMED_FLASHES ? ` of ${byScore.length}` : '';
  return `; its flash candidates, strongest first${more}: ${list} (--pick strongest takes ${at(byScore[0])}, --pick first ${at(first)}: a head or hand moving across a still part of the picture can outscore the LED, so look at each candidate's region first)`;
}

/**
 * The end of the refusal when the reference has no usable pulse: another --ref (a file's first audio stream, else its
 * video) helps only when that stream has a usable pulse. When no file's has (issue 11 item 4: a pulse not used is
 * replaced by another route or refused, and the output says which), it says so, with each other stream's pulse that
 * was not used and what placed the streams that are placed.
 */
function noRouteAdvice(s: StreamState, states: StreamState[], ref: StreamState, o: ReportContext): string {
  const refOf = (abs: string) => states.find((x) => x.abs === abs && x.kind === 'audio') ?? (states.find((x) => x.abs === abs) as StreamState);
  const better = [...new Set(states.map((x) => x.abs))].filter((a) => a !== ref.abs).map(refOf).find((x) => x.chosen.start ?? x.chosen.end);
  if (better) return `; choose another --ref (${better.file}: its ${better.kind} stream ${better.stream} has a usable pulse)`;
  const own = s.chosen.start ?? s.chosen.end;
  // A pulse --pick forced is not called usable (the policy refused it or found others like it: choose.ts).
  const head = own ? `its own pulse at ${own.t_s.toFixed(3)} s is ${s.forcedPick ? `--pick ${s.forcedPick}'s choice` : 'usable'}, but no stream it could be placed against has one` : 'no stream of the session has a usable pulse to place it by';
  const refused = states.filter((x) => x !== ref && x !== s && x.warnings.some((w) => w.code === 'unplaceable_pulse')).map((x) => `${x.file} ${x.kind} stream ${x.stream} has ${noPulseWhy(x, o)}`);
  const skew = skewNote(s, states);
  const placed = states.filter((x) => x !== ref && x.placed).map((x) => `${x.file} ${x.kind} stream ${x.stream} is placed by ${x.placed?.method === 'xcorr' ? 'cross-correlation' : x.placed?.method}`);
  return `: ${[head, ...refused, ...(skew ? [skew] : placed)].join('; ')}; another --ref would not place it`;
}

/**
 * Why a placed stream's drift is null (sync.json `drift_null_reason`): before 2026-12-02 a null drift said nothing, and
 * under the default --ends start every stream's was null, even a file searched whole (unknown length) whose pulses
 * at both ends were found.
 */
function driftNullReason(s: StreamState, o: ReportContext): string {
  if (o.ends === 'start') return '--ends start: the stream is placed at one time, so no drift is measured (--ends both, with pulses at both ends, measures it)';
  const noEnd = s.warnings.find((w) => w.code === 'no_end_pulse');
  if (noEnd) return noEnd.message;
  const pl = s.placed as Placement;
  return pl.from && (pl.method === 'container' || pl.method === 'camera_clock') ? `taken from ${pl.from.file} ${pl.from.kind} stream ${pl.from.stream}, whose drift is unknown` : `not measured by its placement (${pl.method})`;
}

/** The windows whose pulses placed the stream (the reference: those other streams were placed against). */
function usedPulses(s: StreamState, states: StreamState[]): Array<'start' | 'end'> {
  if (s.placed?.method !== 'reference') return s.placed?.used ?? [];
  const against = new Set(states.filter((x) => x.placed?.from === s).flatMap((x) => x.placed?.fromUsed ?? x.placed?.used ?? []));
  return (['start', 'end'] as const).filter((w) => against.has(w));
}

/**
 * The stream time an offset without a drift was measured at: its pulse's; a stream sharing another's clock
 * (container, camera_clock), that one's; a content placement (whose drift lay at the search's edge), its window's
 * middle (Placement.offsetAtS; before session 50 not stored, and 0 taken: no carried term); else 0.
 */
function measuredAt(s: StreamState): number {
  const pl = s.placed as Placement;
  const pulse = pl.used?.length ? s.chosen[pl.used[0]] : null;
  if (pulse) return pulse.t_s;
  if (pl.from?.placed && (pl.method === 'container' || pl.method === 'camera_clock')) return measuredAt(pl.from);
  return pl.offsetAtS ?? 0;
}

/**
 * sync.json's offset_sd_s and drift_sd_ppm (a rate) of a placed stream. Without a measured drift (not the reference's):
 * drift_sd UNMEASURED_DRIFT_SD, and the offset's sd at time 0 grows by it over the time from 0 to where it was measured.
 */
function reportedSds(s: StreamState, pl: Placement): { offsetSd: number | null; driftSd: number | null } {
  // A placement by content carries the unknown difference of the talkers' lag and the beep's (content-lag.ts).
  const offsetSd = reportedOffsetSd(pl.offsetSd, pl.lagSd);
  if (pl.k !== null || pl.method === 'reference') return { offsetSd, driftSd: pl.k === null ? null : reportedKSd(pl) };
  const driftSd = s.driftBeyondSearch ? BEYOND_SEARCH_DRIFT_SD : UNMEASURED_DRIFT_SD;
  const carried = driftSd * Math.abs(measuredAt(s));
  return { offsetSd: offsetSd === null ? null : Math.hypot(offsetSd, carried), driftSd };
}

/**
 * A measured drift's sd. A placement by content keeps its drift's sd apart from kSd (contentKSd: the rules that weigh
 * a pulse-measured kSd do not take it), but reports it: before 2026-12-07 such a sound said drift_sd_ppm null beside a
 * drift given to 0.001 ppm, and a 24 s session's content line known to ±400 ppm said nothing (issue 11 item 5).
 */
function reportedKSd(pl: Placement): number | null {
  return pl.kSd ?? (pl.method === 'xcorr' ? (pl.contentKSd ?? null) : null);
}

function entryOf(s: StreamState, states: StreamState[], o: ReportContext): SyncStreamEntry {
  const pl = s.placed as Placement;
  const { offsetSd: sdOut, driftSd } = reportedSds(s, pl);
  const e: SyncStreamEntry = {
    file: s.abs,
    kind: s.kind,
    stream: s.stream,
    offset_s: r7(pl.offset),
    offset_sd_s: sdOut === null ? null : r7(sdOut),
    drift_ppm: pl.k === null ? null : r3(pl.k * 1e6),
    drift_sd_ppm: driftSd === null ? null : r3(driftSd * 1e6),
    ...(pl.k === null ? { drift_null_reason: driftNullReason(s, o) } : {}),
    method: pl.method,
    confidence: r3(Math.min(pl.confidence, pl.method === 'reference' ? 1 : 0.999)),
  };
  if (s.kind === 'audio') e.first_sample_s = r7(s.firstSampleS);
  if (s.decodeErrors) e.decode_errors = { ...s.decodeErrors };
  if (s.forcedPick) e.forced_pick = s.forcedPick;
  if (pl.from) e.placed_from = { file: pl.from.abs, kind: pl.from.kind, stream: pl.from.stream };
  // `used`: which of them placed the stream (under --ends start a second-half pulse of a whole-file search does not).
  e.pulses = { start_s: s.chosen.start ? r7(s.chosen.start.t_s) : null, end_s: s.chosen.end ? r7(s.chosen.end.t_s) : null, used: usedPulses(s, states) };
  if (pl.extra) Object.assign(e, pl.extra);
  e.detections = s.detections.map(roundDetection);
  e.warnings = s.warnings;
  return e;
}

/** Warnings that only make sense once every stream is placed (drift that the span cannot support, a picture's offset). */
function finalWarnings(s: StreamState, ends: Ends): void {
  const pl = s.placed as Placement;
  const unmeasured = driftUnmeasured(s, pl, ends);
  if (unmeasured) s.warnings.push(unmeasured);
  const assumed = pictureDriftAssumed(s, pl, ends);
  if (assumed) s.warnings.push(assumed);
  noEndPulseDriftKnown(s, pl);
  const kSd = reportedKSd(pl);
  if (pl.k !== null && kSd !== null && kSd * 1e6 > DRIFT_SD_WARN_PPM && pl.method !== 'reference') {
    s.warnings.push({ code: 'drift_uncertain', message: `drift ${(pl.k * 1e6).toFixed(1)} ppm is uncertain (±${(kSd * 1e6).toFixed(1)} ppm: ${driftBasis(s, pl)})` });
  }
  const frame = s.frameS;
  if (s.kind === 'video' && frame !== null && pl.offsetSd !== null && OFFSET_SD_WARN_SDS * pl.offsetSd > 0.5 * frame) {
    s.warnings.push({ code: 'offset_uncertain', message: `offset uncertain: sd ${(pl.offsetSd * 1000).toFixed(1)} ms, ${OFFSET_SD_WARN_SDS} sd (${(OFFSET_SD_WARN_SDS * pl.offsetSd * 1000).toFixed(1)} ms) beyond half a frame (${(500 * frame).toFixed(1)} ms), the target: the picture may be placed more than half a frame off` });
  }
}

/**
 * A long stream placed by its start pulse alone under --ends start: its drift is unknown and 0 is applied, so its end
 * may be tens of ms off (a 10-min recorder at +104 ppm, placed right at its start, lay 62 ms off at 595 s with nothing
 * said: a trial, 2026-12-06). Streams that take their clock from another of the file (container, camera_clock) do not
 * repeat it.
 */
function driftUnmeasured(s: StreamState, pl: Placement, ends: Ends): SyncWarning | null {
  if (ends !== 'start' || pl.k !== null || pl.method === 'reference' || pl.method === 'container' || pl.method === 'camera_clock') return null;
  const len = s.lengthS;
  if (len === null || len * DRIFT_UNMEASURED_PPM[1] * 1e-6 <= DRIFT_UNMEASURED_WARN_S) return null;
  const [lo, hi] = DRIFT_UNMEASURED_PPM.map((ppm) => (len * ppm * 1e-3).toFixed(0));
  return { code: 'drift_unmeasured', message: `placed by its start alone (--ends start), so its clock drift is not measured and 0 is applied: over its ${len.toFixed(0)} s, ${DRIFT_UNMEASURED_PPM[0]}-${DRIFT_UNMEASURED_PPM[1]} ppm (usual between recorders and cameras) would put its end ${lo}-${hi} ms off; record a pulse at the end too and sync with --ends both, which measures the drift` };
}

/**
 * A picture whose drift is its file's sound's and which its own frames did not confirm (no second flash judged against
 * it: --ends start's continuity drift, or one flash under --ends both) assumes one clock for picture and sound. A
 * PC/browser webcam recording breaks it: the picture on the PC's clock, the USB microphone's samples on their own
 * (trial 2026-12-06 W1, /work/ttrial49-data s11: the sound's -212.7 ppm put the picture 103 ms off at its end, exit 0,
 * nothing said). Said where it matters: where that drift over the picture's span from its flash moves its far end by
 * more than a quarter frame (PICTURE_DRIFT_ASSUMED_FRAMES), i.e. where a picture whose own clock kept time would be
 * off by that much; --ends both checks it by the picture's own two flashes (place.ts flashesOwnClock).
 */
function pictureDriftAssumed(s: StreamState, pl: Placement, ends: Ends): SyncWarning | null {
  const source = pl.extra?.drift_source;
  const frame = s.frameS;
  if (s.kind !== 'video' || pl.k === null || frame === null || s.lengthS === null) return null;
  if (typeof source !== 'string' || !source.startsWith('audio stream ') || typeof pl.extra?.drift_flash_ppm === 'number') return null;
  const anchor = s.chosen.start?.t_s ?? s.chosen.end?.t_s ?? 0;
  const span = Math.max(anchor, s.lengthS - anchor);
  const moved = Math.abs(pl.k) * span;
  if (moved <= PICTURE_DRIFT_ASSUMED_FRAMES * frame) return null;
  const check = ends === 'start' ? 'run --ends both (a flash at the session\'s end too), which checks it by the picture\'s own start and end flashes' : 'a flash at the session\'s other end too would check it (--ends both judges the picture\'s own two flashes)';
  return {
    code: 'picture_drift_assumed',
    message: `its drift (${(pl.k * 1e6).toFixed(1)} ppm) is its sound's, not checked by its own frames: where picture and sound run on different clocks (webcam/PC recordings: the picture on the PC's clock, a USB microphone on its own), a picture whose own clock ran at the reference's rate would be ${(moved * 1000).toFixed(0)} ms (${(moved / frame).toFixed(1)} frames) off ${span.toFixed(0)} s from its flash; ${check}`,
  };
}
/**
 * A `no_end_pulse` line is written when the pulses are chosen ("drift unknown"), before placement; a stream placed by one
 * pulse may still get a drift there (a picture its file's sound's, a sound its content's). Its line then says which,
 * not "drift unknown" beside a drift_ppm (trial ttrial56: a camera that stopped before the end pulse, its picture at
 * its sound's 49.9 ppm, was told on stderr "no usable pulse in the end window: drift unknown").
 */
function noEndPulseDriftKnown(s: StreamState, pl: Placement): void {
  if (pl.k === null || pl.method === 'reference') return;
  const unknown = ': drift unknown';
  const basis = typeof pl.extra?.drift_source !== 'string' && pl.method === 'xcorr' && pl.from ? `from its content (cross-correlated with ${pl.from.file})` : driftBasis(s, pl);
  for (const w of s.warnings) {
    if (w.code === 'no_end_pulse' && w.message.endsWith(unknown)) w.message = `${w.message.slice(0, -unknown.length)}: drift ${(pl.k * 1e6).toFixed(1)} ppm, ${basis}`;
  }
}

/** A quarter frame: what an assumed drift may move a picture's far end before it is said (a right flash is read within 0.18 frame rms). */
const PICTURE_DRIFT_ASSUMED_FRAMES = 0.25;

/** What the drift was measured from, for the warning: the stream's own pulses, or where it was taken from. */
export function driftBasis(s: StreamState, pl: Placement): string {
  const source = pl.extra?.drift_source;
  if (typeof source === 'string') return `measured from ${source}`;
  const via = pl.from;
  if (via && pl.method === 'xcorr') return `measured from its content, cross-correlated with ${via.file}`;
  const own = spanOf(s);
  if (own > 0) return `pulses only ${own.toFixed(1)} s apart`;
  if (via && (pl.method === 'container' || pl.method === 'camera_clock')) return `taken from ${via.file} stream ${via.stream}, whose pulses are ${spanOf(via).toFixed(1)} s apart`;
  return 'no pulse pair of its own';
}

function spanOf(s: StreamState): number {
  return s.chosen.start && s.chosen.end ? s.chosen.end.t_s - s.chosen.start.t_s : 0;
}

/**
 * A reference sound without a usable pulse of its own, beside sounds placed by their content that have one: they sit
 * at the talkers' lag (sd 8.75 ms or more) where their beeps would time them to about 1 ms against a reference with a
 * beep. The refusal names another --ref (noRouteAdvice); a session placed anyway said nothing (ttrial56: a lav whose
 * beep was too quiet to use; the camera's sound and a room MP3, both with usable beeps, were placed by content, sd 8.75
 * and 12.4 ms; with --ref on the camera the room's beep placed it, sd 0.35 ms).
 */
function referenceWithoutPulse(states: StreamState[], ref: StreamState): SyncWarning | null {
  if (ref.kind !== 'audio' || ref.chosen.start || ref.chosen.end) return null;
  const byContent = states.filter((x) => x !== ref && x.kind === 'audio' && x.placed?.method === 'xcorr' && (x.chosen.start || x.chosen.end));
  if (byContent.length === 0) return null;
  const better = byContent.find((x) => x.abs !== ref.abs) as StreamState;
  const names = byContent.map((x) => `${x.file} ${x.kind} stream ${x.stream}`).join(', ');
  return {
    code: 'reference_without_pulse',
    message: `no usable pulse of its own, so ${names} ${byContent.length === 1 ? 'was' : 'were'} placed by ${byContent.length === 1 ? 'its' : 'their'} content (the talkers' lag, offset_sd_s 8.75 ms or more) although ${byContent.length === 1 ? 'it has a usable beep' : 'each has a usable beep'}: with --ref ${better.file} (its ${better.kind} stream ${better.stream} has a usable pulse; in mmprep extract, --ref-role with its column) the beeps time the streams that have one to about 1 ms`,
  };
}

export function buildSyncMap(states: StreamState[], ref: StreamState, refReason: string, o: ReportContext & { pick: string | null }): SyncMap {
  for (const s of states) finalWarnings(s, o.ends);
  const betterRef = referenceWithoutPulse(states, ref);
  if (betterRef) ref.warnings.push(betterRef);
  return {
    version: 1,
    reference: { file: ref.abs, kind: ref.kind, stream: ref.stream },
    reference_reason: refReason,
    timeline: 'audio: decoded samples counted from the file start plus first_sample_s (ffprobe start_time); reference clock: decoded samples of the reference counted from its start',
    tool: { name: 'mmprep', version: VERSION },
    // one_pulse only when given: every other sync.json stays as it was.
    options: { tone_hz: o.toneHz, search_s: o.searchS, ends: o.ends, pick: o.pick, fallback: o.fallback, ...(o.onePulse ? { one_pulse: true } : {}) },
    streams: states.map((s) => entryOf(s, states, o)),
  };
}
