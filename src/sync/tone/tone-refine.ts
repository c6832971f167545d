/**
 * The onset of one beep, refined from the coarse rising edge of the beep detector (tone.ts), and judged: the direct
 * sound's arrival (the earliest window from which the tone's phase is steady), the change point around it (Page 1954;
 * Hinkley 1971), its uncertainty, and the checks against the noise and the room's echo before it (tone-onset.ts,
 * tone-early.ts) that decide whether the onset is placeable (issue 11 items 4 and 8: moved here from tone.ts); and the
 * second reading, the change point of direct sound and echo (tone-step.ts), that places what this refuses or refuses
 * what it contradicts.
 */
import { reverseCusum, type ToneOscillator } from './tone-demod.js';
import { energyNull, inPhaseLeadS, leadInS, meanWindowEnergy, toneBeforeOnset, type BeforeOnset } from './tone-onset.js';
import { echoOnset } from './tone-step.js';
import { CLEAN_DIRECT_DB, CLEAN_EARLY_DB, MAX_EARLY_DB, toneEarlyAnyPhase, type EarlyTone } from './tone-early.js';
import { toneRestarts, type ToneRestart } from './tone-ringing.js';

/** A beep whose onset is less certain than this is not placeable (the stream is placed by another route or refused). */
const MAX_ONSET_SD_S = 0.002;
/**
 * Least onset uncertainty taken: 0.1 ms, the rms error of the 142 placeable reference (lav) onsets of the room sets
 * (variants 32, 33, 38, 39, 45, 47, 51, 52; bench table "reference onsets"), most of whose fitted sds are 0.25-0.7 ms.
 * Below it the change point's fit (Hinkley's scatter, half a sample) ignores what it does not model: the loudspeaker's
 * and the room's onset shape. On variant 51 two lav onsets with fitted sds of 0.03 and 0.06 ms were 0.11 and 0.17 ms
 * off (3.4 and 2.7 sd).
 */
const ONSET_SD_FLOOR_S = 0.0001;
/**
 * The same limit where the sd is a change point's scatter in noise (Hinkley 1970; localScatter, stepScatterS). The
 * argmax of a two-sided random walk with drift has exponential tails, not a normal's: simulated
 * (scripts/sim-changepoint-tails.mjs, 20000 walks), 2.3 % of its errors lie beyond 3 sd, 1 % beyond 3.91 sd (a
 * normal's 1 %: 2.58 sd), 0.27 % beyond 5.3 sd. MAX_ONSET_SD_S keeps a normal onset's 99th percentile within 5.2 ms;
 * the same percentile of a scatter within as much needs its sd under 2 ms x 2.58 / 3.91 = 1.32 ms. On room variant
 * 57, rt8-drr-6-snr10-mp3-both's room-mic end beep was read 5.15 ms late with a scatter sd of 1.49 ms (3.5 sd) and
 * placed its stream 4.59 ms off.
 */
const MAX_SCATTER_SD_S = (MAX_ONSET_SD_S * 2.576) / 3.91;
/**
 * A lead-in (tone-onset.ts leadInS) window's energy over the mean of the same windows 20-120 ms before the onset
 * (the noise before the beep: 6 dB, where noise alone passes in phase about 0.5 % of windows).
 */
const LEAD_IN_OVER_NOISE = 4;
/** An onset with tone-band energy before it that the noise before the beep makes less often than this is not placeable. */
const MAX_FALSE_BEFORE = 0.01;
/**
 * A beep whose tone in the 4 periods after the onset is more than this below its plateau is not placeable: the echo
 * there is over twice the direct sound (DRR below about -3 dB), and an onset read late on the echo's build-up cannot
 * be told from the direct sound's arrival. On the room bench (2026-11-30) all 3 placeable onsets below -6 dB were
 * 7.8 to 93 ms late, while those placed right read -4 to +2 dB. It does not catch an onset read 25 ms late, once the
 * echo has built up (the held-out set, make-sync-rooms --variant 1: +0.5 and -1.8 dB; docs/sync-history.md).
 */
const MIN_DIRECT_DB = -5;
/**
 * The change point of the direct sound and echo (tone-step.ts) is taken only when its profile-likelihood interval is at
 * most this wide, seconds. Measured 2026-11-30 on the room bench (make-sync-rooms --set full, variants 0 and 1): the
 * change points it let through were within 0.7 ms of the truth (intervals 0.2-1.6 ms wide), and those read 7-16 ms
 * late on the echo's build-up had intervals of 3.8 ms and more.
 */
const MAX_ECHO_INTERVAL_S = 0.002;
/**
 * ... and when the 2 periods after it hold a step at most this far under the beep's plateau, dB (the direct sound at
 * DRR -9 dB is about 9.5 dB under it). A change point read at the start of speech before the beep holds no such step:
 * on sync-tone.test.ts's SNR 20 dB Opus mixture one such read 86 ms early measured -37 dB; the right ones on the room
 * bench -11 to +6 dB.
 */
const MIN_ECHO_DIRECT_DB = -15;
/**
 * The shortest reverberation time of a room whose echo can hide a beep's direct sound, seconds. The change point's
 * walk variance q (tone-step.ts) is how fast the echo builds up after the direct sound: the reverberant energy E grows
 * as E (1 - exp(-13.8 t / RT60)) (Kuttruff, "Room Acoustics", ch. 5), at first by E 13.8 / RT60 per second, and E is
 * at most the beep's plateau. So per block of one period, q <= plateau 13.8 / (toneHz RT60): -8.6 dB of the plateau's
 * block power at 1 kHz for RT60 0.1 s (the grid's 1/4 is beyond it, 1/16 within). A fit that needs a faster walk has
 * an amplitude after t0 that changes faster than any room's echo builds up: a sound that starts and varies on its own
 * (speech before the beep), not the beep's direct sound and echo. Measured 2026-12-01 (room variants 9 and 23, every
 * change point logged): the two read early at speech, 61.9 and 4.8 ms, fitted 1/4; the 15 that passed every check and
 * lay within 0.4 ms of the truth 1/16 to 1/256 (docs/sync-history.md, "Beep onsets in a room").
 */
const MIN_RT60_S = 0.1;
/**
 * An edge onset that agrees with a change point of direct sound and echo refused as varying faster than a room's echo
 * builds up (fastWalkWhy: a sound of its own) is
 * not placeable when the tone, within AFTER_S after it, changes by more than OWN_SOUND_CHANGE times its first 2
 * periods' power (changesAfter): as much as the direct sound itself, where a beep's onset changes only by the echo
 * built up since (at most the plateau less the direct sound, no more than 2.2 times the direct sound for an edge onset
 * placeable by MIN_DIRECT_DB, and a room's echo builds up over RT60 / 13.8). Both readings take the first tone-band
 * sound after the noise for the direct sound, and the checks before an onset see nothing of a sound that starts
 * there: an in-band burst starting a few ms before the beep and running into it (speech, a ringing knock) is read so,
 * and the beep's arrival is the change. Measured 2026-12-07 on generated beeps (scripts/sim-burst-before-beep.mjs: the room
 * model of sync-beep-echo.test.ts, RT60 0.3-0.8 s, DRR +6 to -9 dB, 16 kHz; docs/sync.md "Known limits"): with a
 * narrow-band noise burst (-12 to +6 dB, 5-60 ms long, starting 2-20 ms before the beep; 960 trials), 67 such onsets
 * were placeable 1-20 ms off; refusing every one of them (without this measure, and for every verdict of a sound of
 * its own) also refused 32 of 892 right onsets without a burst (their change point's walk fitted fast by chance) and
 * 7 right beeps of the room sets 230g-232g. With it: 53 of the 67 refused (placeable more than 1 ms off: 163 -> 110
 * of the 960; the 18 right ones refused all had the burst 2 ms before the beep), right onsets without a burst refused
 * 4 of 892 (DRR -3 to -9 dB, changes 1.0-5.8 dB over the first periods' power), room sets 230g, 231g, 232g, 330g and 33
 * none (`bench-sync.mjs --beeps-only`).
 */
const AFTER_S = 0.014;
const OWN_SOUND_CHANGE = 1;
/**
 * An onset after which the tone, within AFTER_S, turns against its own phase is not placeable (turnsAgainstWhy): a
 * 2-period window there, no stronger than the onset's first 2 periods (from 0.5 ms after it), whose component along
 * their phase is below this fraction of their amplitude, that is, pointing the other way. A beep's direct sound holds
 * its amplitude and phase from its arrival to its end; a room's echo adds to it, growing over RT60 / 13.8 (Kuttruff,
 * "Room Acoustics", ch. 5), and a talker's sound over the beep can outweigh it, but only by being stronger. A talker's
 * glottal pulse ringing in the tone's band is a burst of its own: in the beep's phase by chance, it dies away and the
 * voice's other harmonics follow in any phase, weaker, until the next pulse. Measured 2026-12-08 (session 61) on every
 * true beep of room variants 601, 603 and 602 (`--geometry drawn`; 360 beeps, 180 placeable): room 603
 * rt5-drr0-snr0-mp3-start's lav beep, read 6.50 ms early on such a pulse (sd 0.88 ms, placeable), had -0.23; every
 * other placeable onset 0.03 and more (0.03: geo 602 rt8-drr-3-snr10-wav-both's lav end beep, 0.96 ms off; lav onsets
 * with the talker up to 4.7 dB over the direct sound in the 100 ms before them, room microphones at DRR +6 to -9 dB).
 * Without the bound on the window's strength a right lav onset (geo 602 rt8-drr0-snr10-aac-both's end beep, 0.29 ms
 * off) read -1.29: the talker over the beep, 10 dB stronger than its first 2 periods. Taken for the edge route's onsets
 * only (withTurn): right change points of direct sound and echo in the generated rooms of sync-beep-burst, -echo and
 * -early (DRR -9 dB, or speech over the beep) read -0.29 to -0.53, their direct sound 1.7-11 dB under the plateau and
 * cancelled by the echo's build-up for a while (docs/sync-history.md "A talker's voice pulse read as a beep's onset").
 */
const MIN_HELD_PHASE = 0;
/**
 * The change point's scatter where the direct sound is weak against the noise of one-period blocks, seconds. The
 * log-likelihood ratio of a step of block amplitude a in complex noise of block variance s2, as the change point
 * moves k blocks, is a two-sided random walk with drift whose argmax has variance 26 in units of 1 / delta^2, delta^2
 * = 2 a^2 / s2 per block (Hinkley 1970, Biometrika 57:1-17; Yao 1987, Ann. Statist. 15:1321-1328; 27.4 by simulation
 * here). The profile interval of tone-step.ts can be far narrower than this when the blocks around the change point
 * are not the stationary noise it assumes: on room variant 9 (rt8-drr-6-snr10-mp3-both, DRR -6 dB, speech bursts 11
 * dB over the noise 8-10 ms before the beep) a change point 3.2 ms late had an interval 1.2 ms wide (sd 0.31 ms),
 * where the direct sound stood 3 dB under the blocks' noise (this scatter: several ms).
 */
function stepScatterS(A: number, plateauBlockP: number, noiseBlockP: number, blockN: number, sampleRate: number): number {
  // A sine of amplitude A gives a block mean of magnitude A / 2; the direct sound alone is on average no stronger
  // than direct sound and echo together (the plateau's block power), so a stronger reading there is not all direct.
  const delta2 = (2 * Math.min((A / 2) ** 2, plateauBlockP)) / Math.max(noiseBlockP, 1e-30);
  return (Math.sqrt(26) / Math.max(delta2, 1e-6)) * (blockN / sampleRate);
}

/**
 * A change point after which the tone does not hold is not the beep's: the direct path delivers the beep for its whole
 * length and the echo adds to it, so 10-20 ms after the change point the tone still stands over the noise before it
 * (its power less the noise's at least the noise's; 10 blocks of noise alone pass about 0.1 % of the time). A click or
 * a burst of noise before the beep is a step that falls back to the noise. Not judged against the tone's first
 * milliseconds: at DRR -9 dB a steady tone's echo can cancel its direct sound for tens of ms (one right change point
 * of the four below fell 7 dB from its first 10 ms to the next). Measured 2026-12-01 on generated beeps (DRR -9 dB,
 * RT60 0.5 s, white noise 20 dB under the beep): a click, 3 ms of noise 30 dB over the noise 60 ms before the beep,
 * had the change point read 60 ms early and placeable with sd 0.03-0.13 ms in 3 seeds of 4; dB.
 */
const MIN_HOLD_DB = 0;
/** ... over this span after the change point, seconds (a beep lasts at least 50 ms: tone.ts minDurationS). */
const HOLD_S = 0.02;
/**
 * A strong step that falls back to the noise within FALL_S after the change point is not the beep's: the direct path
 * delivers the beep from its arrival on, so no 2-period window there is back at the noise (its power less the noise's
 * at most the noise's, FALL_DB) where the step stood STRONG_STEP_DB or more over the noise (a window of the direct
 * sound alone then falls that low 5 times in 10^5 in complex Gaussian noise, simulated; an echo that cancels the direct sound 9 dB in
 * those ms leaves it over the noise). An in-band burst just before the beep is such a step: measured 2026-12-01 on
 * generated beeps (DRR -6 dB, RT60 0.8 s, white noise; docs/sync-history.md), a 3 ms 980 Hz burst 5 dB over the plateau 10 ms
 * before the beep had the change point on it, 9.5-9.8 ms early and placeable with sd 0.11-0.27 ms, in 6 seeds of 12,
 * its blocks 2-8 ms after the change point at the noise. The hold check (10-20 ms after) does not see that gap.
 */
const STRONG_STEP_DB = 10;
const FALL_DB = 0;
/**
 * ... and where the step stood FIRM_STEP_DB or more, a window at or under the noise's own power (no tone at all: 2.4
 * times in 10^4 for the direct sound alone, simulated). The same burst at the plateau's amplitude (0 dB) stood 9.9 dB
 * over the noise and was read 9.7 ms early with sd 0.38 ms; its gap was under the noise.
 */
const FIRM_STEP_DB = 8;
const FALL_S = 0.012;
/**
 * Tone in an onset's own phase within this of the direct sound (one-period windows, in pairs half a period apart), dB,
 * up to IN_PHASE_LEAD_SPAN_S before the onset, widens its sd to half that distance (withInPhaseLead). Measured
 * 2026-12-03 on the lav (reference) onsets of room variants 73 and 81 (110 true beeps): the held-out end beep of v73
 * rt8-drr6-snr10-opus-both-24s, read 2.57 ms late after a talker's pulse cancelled the beep 2 ms into it (sd 0.54 ms,
 * 4.8 sd), had such tone -2.0 dB; four right onsets (0.02-0.39 ms off) -2.2 to -5.8 dB (speech in phase by chance,
 * or the beep's own start); every other found onset -11 dB or under, or already refused.
 */
const IN_PHASE_LEAD_DB = -10;
const IN_PHASE_LEAD_SPAN_S = 0.004;
/** The span before an onset whose tone-band sound sets its scatter (localScatter), seconds. */
const LOCAL_NOISE_S = 0.02;
const STEP_S = 0.004;

/**
 * An edge onset beside an unsure change point of direct sound and echo (unsureEcho) takes that change point's sd, but
 * at most this many times its own: a calibration, not a model. Taken whole, the interval's sd (its width / 4, up to
 * 11 ms) refused right onsets: on room variants 59 and 64, 7 and 4 onsets 0.02-0.94 ms off (sd 0.33-1.02 ms) went to
 * sd 2.1-11.1 ms, not placeable. In that group (placeable edge onsets inside an interval over 4 ms wide; 17 onsets of
 * variants 55, 59 and 64) the edge route's errors over its own sds had an rms of 1.6 (1.8 on 55 and 59, where the 2.7
 * and 4.7 sd onsets were; 0.7 on 64).
 */
const UNSURE_ECHO_SD_FACTOR = 2;

/** How much earlier than a refused edge onset the change point may lie when the edge was refused for tone before it (judge). */
const MAX_EARLIER_THAN_EDGE_S = 0.002;

/**
 * Where the two readings agree and the edge route's direct sound (its 4 periods) stands this far or more under the
 * beep's plateau, dB, the change point of direct sound and echo is the onset taken (agreed). The plateau holds the
 * direct sound and the room's echo; 1 dB under it is an echo of at least a quarter of the direct sound's power (DRR
 * under about +6 dB), building up over the periods the edge route takes its amplitude from, which delays its change
 * in mean (Page 1954, with the amplitude overestimated); the change point's model has the echo's build-up in it
 * (tone-step.ts, a random walk after the step). Measured 2026-12-02 on every agreeing, placeable pair of readings of
 * room variants 9, 32, 33, 38, 39 (partial) and 45: at -1 dB or less (10, 6 of them room microphones) |error| mean
 * 0.44 ms by the edge, 0.17 ms by the change point (v45 `rt8-drr0-snr10-aac-both`'s start beep 1.06 → 0.45 ms);
 * above it (187, 176 of them lav onsets, without echo) the edge route's known-amplitude step is the sharper (median
 * 0.035 against 0.063 ms), so it stays.
 */
const ECHO_SHOWS_DB = -1;

/**
 * Whether an onset is a step out of the noise: no tone, in any phase, within MAX_EARLY_DB of its direct sound in the
 * 40 ms before it (tone-early.ts; unknown, taken as a step, where there is too little audio before it). An onset
 * that is no step lies in interference as strong as the direct sound and can be read late (on the echo's build-up)
 * or early (at speech before the beep: on the room bench 25-84 ms early with a fitted sd of 0.2-4.3 ms), so its
 * fitted uncertainty says nothing (tone.ts reports it as null).
 */
function isStep(early: EarlyTone | null): boolean {
  return !early || early.under_direct_db <= MAX_EARLY_DB;
}

/**
 * Tone in the onset's own phase before it, in a lossy stream, at most this far under the direct sound (in a window as
 * long) and within the codec's frame before the onset, is taken as the codec's pre-echo (tone-onset.ts), dB: a tenth
 * of the amplitude, as directArrival allows for it. Measured 2026-12-02 on abrupt 1 kHz beeps at 16 positions in the
 * frame (48 kHz, white noise 25-35 dB under the beep): AAC (ffmpeg's encoder, 32-128 kb/s) -24 dB and under, MP3
 * (LAME 64-128 kb/s) -30, Opus (32-64 kb/s) -23; the direct sound hidden by an echo dip stands within about 10 dB of
 * it (DRR down to -9 dB).
 */
const PRE_ECHO_DB = -20;

/**
 * In a PCM or lossless stream, tone in the onset's own phase before it is taken as a direct sound hidden by an echo dip
 * (tone-onset.ts) only when it stands within this of the direct sound read after the onset (in a window as long), dB.
 * A direct sound hidden so arrived at its full level, and an onset read late after the dip reads the direct sound plus
 * the echo that cancelled it. In the generator's room model (make-sync-rooms.mjs roomIR: RT60 0.3, 0.5, 0.8 s, DRR 0,
 * -3, -6, -9 dB, 150 rooms each, noise-free), of the 664 onsets read after a dip (the 1-period amplitude under half the
 * direct sound's in the first 60 ms, read where it is back at the direct sound's) with tone in their phase before them,
 * 613 had it within 10 dB, 651 within 15 dB; on the room sets the late onsets this check refused measured -8.9 dB and
 * above (variants 51, 52, 55: 10.6 to 31.8 ms late). Nothing of an abrupt beep's own sound lies before its onset in
 * such a stream (tone-onset.ts losslessCodec), so weaker tone there is the room's own sound: on room variants 47, 51,
 * 52 and 55, 15 right onsets (0.01 to 0.41 ms off; 14 of the lav, one a DRR -6 dB room microphone's) were refused for
 * it at 16.2 to 39.7 dB under the direct sound, the lav's talker in the tone's band (variant 55 rt5-drr0-snr10-opus-both's
 * end beep, 0.13 ms off: 24.9 dB under, 6.7 ms before it) or, 40 dB under, the floor energyNull clamps the noise to.
 * A lossy codec spreads the beep's own sound before its onset (PRE_ECHO_DB), and there weak tone is not only the room's:
 * variants 47 and 55 rt8-drr-9-snr10-opus-both's end beeps, read 2.9 and 2.7 ms late, had it 17 dB under 4.5 and 10.6 ms
 * before them. Lossy streams keep the check as it was.
 */
const HIDDEN_DIRECT_DB = -15;

/**
 * Why an onset with tone in its own phase just before it (tone-onset.ts) is not placeable, or null when there is none
 * (or, `lossless`, it stands more than HIDDEN_DIRECT_DB under the direct sound); `lossy`: the stream's codec has a
 * pre-echo window (the tone is then stronger than a pre-echo, or earlier).
 */
function toneBeforeWhy(before: BeforeOnset | null, lossy = false, lossless = false): string | null {
  if (!before || before.expected_false >= MAX_FALSE_BEFORE) return null;
  if (lossless && before.under_direct_db !== null && before.under_direct_db < HIDDEN_DIRECT_DB) return null;
  const under = before.under_direct_db !== null ? `, ${(-before.under_direct_db).toFixed(1)} dB under the direct sound` : '';
  const codec = lossy ? `; more than the codec's pre-echo, which stays ${-PRE_ECHO_DB} dB under the direct sound within its frame` : '';
  return `tone ${before.over_noise_db.toFixed(1)} dB over the noise${under} ${(before.ends_before_s * 1000).toFixed(1)} ms before the onset (noise does that ${before.expected_false.toExponential(1)} times there${codec}): the direct sound may have arrived earlier, hidden by an echo dip`;
}

/**
 * The span after an onset looked at for a ringing sound's restart (tone-ringing.ts), seconds: the shortest beep
 * (tone.ts minDurationS), all of it the beep's own tone when the onset is right.
 */
const RING_SPAN_S = 0.05;

/** How the reasons name the second reading (tone-step.ts). */
const ECHO_WHAT = 'the change point of direct sound and echo';

/** The end of every reason that refuses an onset as a ringing sound's (tone.ts leaves such an onset untimed). */
export const RINGING_PHRASE = "a ringing sound struck again before the beep, not one beep's direct sound and echo";

/**
 * Why an onset followed by a ringing sound's restart (tone-ringing.ts) is not the beep's: its tone dies away along one
 * phase and starts again within RING_SPAN_S after it.
 */
function ringingWhy(r: ToneRestart, what: string): string {
  const times = r.count > 1 ? `, and ${r.count - 1} more time(s)` : '';
  return `the tone dies away along one phase ${(r.decay_from_s * 1000).toFixed(1)} ms after ${what} (${r.fall_db.toFixed(1)} dB) and starts again ${(r.rise_at_s * 1000).toFixed(1)} ms after it (${r.rise_db.toFixed(1)} dB up${times}): ${RINGING_PHRASE}`;
}

/**
 * Why an edge onset that agrees (within `gap`, seconds) with a change point of direct sound and echo refused as a sound
 * of its own (`echoWhy`), the tone changing after it by more than OWN_SOUND_CHANGE, is not placeable.
 */
function onOwnSoundWhy(gap: number, echoWhy: string | null, change: number): string {
  return `the onset agrees (${(Math.abs(gap) * 1000).toFixed(1)} ms apart) with ${ECHO_WHAT}, which is refused (${echoWhy ?? 'a sound of its own'}), and the tone changes by ${(10 * Math.log10(change)).toFixed(1)} dB of its first 2 periods' power within ${AFTER_S * 1000} ms after the onset: the onset may be that sound's start, before the beep`;
}

/** A refined onset: sample index in the analysed chunk, direct amplitude A, distance between two readings (samples). */
export interface RefinedOnset {
  t: number;
  /** The coarse rising edge it was refined from (samples). */
  edge: number;
  A: number;
  spread: number;
  /** How far the onset lies after the edge's own change point, samples (0 when not after it: onsetSd). */
  after: number;
}

/** Onset refinement over one analysed chunk x (x[0] at global sample bufStart). */
export class OnsetRefiner {
  /** Length of the CUSUM tangent fits, seconds. */
  private readonly tangentS = 0.003;

  constructor(
    readonly sampleRate: number,
    readonly toneHz: number,
    /** Samples in the 10 ms windows of the detector. */
    readonly winN: number,
    private readonly ref: ToneOscillator,
    private readonly bufStart: number,
    /** How far before a transient the stream's codec spreads it (tone-onset.ts preEchoSpanS), seconds; 0 when lossless. */
    private readonly preEchoS = 0,
    /** The stream is PCM or lossless (tone-onset.ts losslessCodec): HIDDEN_DIRECT_DB applies. */
    private readonly lossless = false,
  ) {}

  private osc(g: number): [number, number] {
    return this.ref.at(g);
  }

  /** Complex demodulation of x[a..b) at the tone frequency (the single-bin DFT), [re, im]. */
  private demod(x: Float32Array, a: number, b: number): [number, number] {
    return this.ref.demod(x, a, b, this.bufStart);
  }

  /**
   * The direct sound's arrival, searched back from a point well inside the burst: the earliest window from which the
   * tone's phase is steady. Room echo builds the level up over the first 20-100 ms, arriving with other phases (the
   * sum's phase drifts, and can swing through a dip where echo cancels the direct sound); before the direct sound
   * there is only noise, whose phase is random. Windows of 4 periods, every 1/16 of that, are walked backwards; a
   * window passes when it and the window right after it stand above the noise and agree in phase (within 45
   * degrees). Gaps of up to 50 ms (a dip where the echo cancels the direct sound) are crossed when the sound
   * beyond is strong; a longer one ends the walk. Returns the start of the earliest
   * passing window, or null.
   */
  private directArrival(x: Float32Array, n: number, from: number, inside: number, noiseP: number /* mean tone-band power of the 10 ms windows */): number | null {
    const L = Math.max(8, Math.round((4 * this.sampleRate) / this.toneHz));
    const step = Math.max(1, Math.round(L / 16));
    let j = Math.min(inside, n - 2 * L);
    if (j <= from) return null;
    const [ir, ii] = this.demod(x, j, j + L);
    // 6 dB over the noise (noise power in a window of L samples is the 10 ms windows' noise power times N / L), and
    // at least 1/10 of the amplitude inside the burst (a codec's pre-echo before a transient keeps the tone's phase).
    const thr = Math.max(2 * noiseP * this.winN * L, (ir * ir + ii * ii) / 100);
    const maxGap = Math.round(0.05 * this.sampleRate);
    // Beyond a gap longer than 2 ms, only a window a quarter as strong as the burst's inside resumes the walk: the
    // direct sound of a beep heard in a room (DRR down to -9 dB) is; speech and noise before the beep are not.
    const strong = (ir * ir + ii * ii) / 16;
    const shortGap = Math.round(0.002 * this.sampleRate);
    let earliest: number | null = null;
    let committed: number | null = null;
    let segTop = -1;
    let gap = 0;
    // A segment reached across a gap must hold the tone's own frequency (its phase drifts less than 45 degrees per
    // 10 ms, as a direct sound under slowly building echo does; a speech harmonic near the tone glides).
    const segmentHolds = (lo: number, hi: number): boolean => {
      const [ar, ai] = this.demod(x, lo, lo + L);
      const [br, bi] = this.demod(x, hi, hi + L);
      const c = (ar * br + ai * bi) / (Math.hypot(ar, ai) * Math.hypot(br, bi) || 1);
      const allowed = Math.min(Math.PI / 2, (Math.PI / 4) * ((hi - lo) / (0.01 * this.sampleRate)) + Math.PI / 8);
      return c > Math.cos(allowed);
    };
    for (; j >= from; j -= step) {
      const [re, im] = this.demod(x, j, j + L);
      const [nr, ni] = this.demod(x, j + L, j + 2 * L);
      const m2 = re * re + im * im;
      const n2 = nr * nr + ni * ni;
      const cosd = m2 > 0 && n2 > 0 ? (re * nr + im * ni) / Math.sqrt(m2 * n2) : 0;
      const crossing = gap > shortGap;
      // Once a gap is crossed, every window must be strong (the direct sound beyond a dip is; speech is not steadily).
      const need = crossing || segTop >= 0 ? strong : thr;
      if (m2 > need && n2 > need && cosd > 0.7) {
        if (crossing) {
          // The segment before this gap: a short one (a stray window in a dip) is dropped, one that glides ends the walk.
          if (segTop >= 0 && earliest !== null && segTop - earliest >= L && !segmentHolds(earliest, segTop)) return committed;
          if (segTop < 0 || (earliest !== null && segTop - earliest >= L)) committed = earliest;
          segTop = j;
        }
        earliest = j;
        gap = 0;
      } else if ((gap += step) > maxGap) break;
    }
    if (segTop >= 0 && earliest !== null && (segTop - earliest < L || !segmentHolds(earliest, segTop))) return committed;
    return earliest;
  }


  /**
   * Maximum-likelihood onset of a sinusoid of known frequency in noise, started from a coarse onset c (samples):
   * amplitude and phase come from the `estN` samples just after c (the direct sound, before the echo builds up);
   * y[n] = 2 x[n] cos(w n + psi) has mean 0 before the onset and A after it, so the onset maximises the CUSUM
   * statistic S(t) = sum_{n=t}^{M} (y[n] - A/2) (Page 1954; Hinkley 1971 for a change in mean). S is a tent with
   * slopes +-A/2 around its peak; intersecting the two lines fitted with those slopes places the onset below one
   * sample. Returns the onset and the amplitude A used.
   */
  private changePoint(x: Float32Array, n: number, c: number, estN: number, backN: number): { t: number; A: number } | null {
    const lead = Math.round(0.0005 * this.sampleRate);
    const a0 = Math.round(c) + lead;
    const a1 = a0 + estN;
    const from = Math.round(c - backN);
    if (from < 0 || a1 >= n) return null;
    const [re, im] = this.demod(x, a0, a1);
    const m = Math.hypot(re, im);
    if (!(m > 0)) return null;
    const ur = re / m;
    const ui = im / m;
    const A = (2 * m) / estN;
    // Reverse cumulative sums of y - A/2 from M = a1 down to `from`.
    const g0 = this.bufStart;
    const len = a1 - from;
    const S = new Float64Array(len + 1);
    reverseCusum(x, from, len, g0, this.ref, ur, ui, A, S);
    const best = argMax(S, len);
    const h = Math.max(4, Math.round(this.tangentS * this.sampleRate));
    if (best - h < 0 || best + h > len) return { t: from + best, A };
    let c1 = 0;
    let c2 = 0;
    for (let k = best - h; k < best; k++) c1 += S[k] - (A / 2) * k;
    for (let k = best + 1; k <= best + h; k++) c2 += S[k] + (A / 2) * k;
    c1 /= h;
    c2 /= h;
    const t = (c2 - c1) / A;
    return { t: Math.abs(t - best) <= h ? from + t : from + best, A };
  }

  /**
   * The onset of one burst: (1) the rising edge of the 10 ms window amplitude (coarse, late when echo builds the level
   * up); (2) the direct sound's arrival searched back up to 150 ms from there; (3) the CUSUM change point around it
   * with amplitude and phase from the first 4 periods. Returns the onset (samples), the direct amplitude A and the
   * coarse edge. `latest`: the caller refuses an onset after this sample (tone.ts: a burst shorter than the minimum
   * duration), so null is returned at once when the onset cannot be earlier (onsetFloor).
   */
  onsetOf(x: Float32Array, n: number, edge: number, noiseP: number, latest = Infinity): RefinedOnset | null {
    const sr = this.sampleRate;
    const L = Math.max(8, Math.round((4 * sr) / this.toneHz));
    const inside = Math.round(edge + 0.012 * sr);
    const earliest = this.directArrival(x, n, Math.max(0, Math.round(edge) - Math.round(0.15 * sr)), inside, noiseP);
    const back = Math.round(0.004 * sr);
    if (this.onsetFloor(edge, earliest, L, back) > latest) return null;
    // Without echo: the change point near the edge, amplitude and phase from the 10 ms after it.
    const near = this.changePoint(x, n, edge, this.winN, this.winN * 2);
    // The earliest steady window holds the arrival: amplitude and phase from the window after it (surely on the
    // direct sound), the change point searched from half a window before it.
    const first = earliest === null ? near : this.changePoint(x, n, earliest + L, L, 1.5 * L);
    if (!first) return null;
    // Once more from the refined point: 4 periods of amplitude when the level builds up after the arrival (echo), else 10 ms.
    const estN = edge - first.t > 0.003 * sr ? L : this.winN;
    const second = this.changePoint(x, n, first.t, estN, back) ?? first;
    // How far the two readings (direct arrival, edge) lie apart: a measure of how much echo or noise hides the onset.
    return { ...second, edge, spread: near ? Math.abs(second.t - near.t) : 0, after: near ? Math.max(0, second.t - near.t) : 0 };
  }

  /**
   * A sample no later than any onset onsetOf can return: changePoint(c, estN, backN) returns t >= round(c - backN) >=
   * c - backN - 0.5, so the first change point lies at or after earliest + L - 1.5 L - 0.5 (edge - 2 winN - 0.5 without
   * a direct arrival) and the second at or after that minus back + 0.5; one more sample for the rounding of the
   * fractional edge. In speech most bursts that reach onsetOf are too short whatever their onset (53 of 64 on the
   * 10-minute bench file, 25-40 ms long where 50 ms are needed): their three change points are not computed.
   */
  private onsetFloor(edge: number, earliest: number | null, L: number, back: number): number {
    return (earliest === null ? edge - 2 * this.winN : earliest - 0.5 * L) - back - 2;
  }

  /**
   * The strongest tone energy in the onset's phase in the 15 ms before the onset (4-period windows ending at least
   * 0.5 ms or 2 SD before it), judged against the same statistic 20-120 ms before the onset (tone-onset.ts); null
   * when there is not enough audio before the beep to judge by.
   */
  private toneBeforeOnset(x: Float32Array, onset: number, onsetSd: number, plateauP: number): BeforeOnset | null {
    const sr = this.sampleRate;
    const L = Math.max(8, Math.round((4 * sr) / this.toneHz));
    const demod = (a: number, b: number) => this.demod(x, a, b);
    // The onset's phase: the 2 periods after it (the direct sound).
    const a0 = Math.round(onset + 0.0005 * sr);
    const [pr, pi] = demod(a0, a0 + (L >> 1));
    const m = Math.hypot(pr, pi) || 1;
    const nullTo = Math.round(onset - 0.02 * sr);
    // Tone 40 dB under the beep's plateau (in an L-sample window: (A L / 2)^2 with A^2 / 2 the plateau power) is no
    // sign of an earlier arrival, whatever the noise floor (a noise-free recording has a null of zeros).
    const floorE = 1e-4 * 2 * plateauP * (L / 2) ** 2;
    const nul = energyNull(demod, nullTo - Math.round(0.1 * sr), nullTo, L, pr / m, pi / m, floorE);
    // The direct sound's energy in an L-sample window: (A L / 2)^2 with A = 2 m / (L / 2).
    const directE = 4 * m * m;
    const preEcho = this.preEchoS > 0 ? { from: Math.round(onset - this.preEchoS * sr), maxE: directE * 10 ** (PRE_ECHO_DB / 10) } : null;
    return nul ? toneBeforeOnset(demod, onset, L, sr, nul, pr / m, pi / m, 0.015, Math.max(0.0005, 2 * onsetSd), directE, preEcho) : null;
  }

  /** Tone energy in any phase in the 40 ms before the onset against the noise 150-650 ms before it (tone-early.ts). */
  private toneEarly(x: Float32Array, onset: number, A: number, onsetSd: number): EarlyTone | null {
    const sr = this.sampleRate;
    const W = Math.round(0.016 * sr);
    const demod = (a: number, b: number) => this.demod(x, a, b);
    const o = Math.round(onset);
    return toneEarlyAnyPhase(demod, o, W, o - Math.round(0.65 * sr), o - Math.round(0.15 * sr), A, sr, 0.04, Math.max(0.001, 2 * onsetSd));
  }

  /**
   * The onset's uncertainty: the change-point fit's (onsetSdS), or half the distance between the direct arrival and
   * the amplitude edge's change point when larger (echo building the level up, or noise, hides the onset), unless the
   * onset is a clean step: the direct sound at least CLEAN_DIRECT_DB over the band's interference, and no tone within
   * CLEAN_EARLY_DB of it in the 40 ms before the onset (tone-early.ts). Then the edge is only late by the echo's
   * build-up, and the fit's uncertainty is the onset's.
   *
   * The direct sound's arrival is searched back from inside the beep for its earliest steady window (directArrival); read
   * after the change point near the coarse edge (onsetOf's `near`), the walk stopped at an echo dip after the tone had
   * begun: the edge's change point saw the tone stand in the ms before it (tone-onset.ts: an onset read after such a dip
   * is late by the dip's position). Both readings read late on the echo's build-up, so the direct sound arrived at or
   * before the earlier one, and the onset taken is late by at least their distance: its sd is that whole distance, not
   * half of it as where the arrival is the earlier reading, and the clean-step exception (which takes the
   * edge reading as the later, late only by the echo's build-up) does not apply. Measured on lead variant 59
   * rt3-drr-9-snr10-wav-both (RT60 0.3 s, DRR -9 dB, WAV): the room microphone's start beep was read 5.73 ms late
   * with sd 1.64 ms (3.5 sd) and placed its stream 6.4 ms off; the edge's change point lay 3.28 ms before it (2.46 ms
   * late), after the direct sound (0 ms) and an echo dip 4-5 ms into the beep (now sd 3.28 ms: not placeable, the
   * stream placed by cross-correlation 0.01 ms off). Room variant 55 rt5-drr-6-snr10-wav-both's end beep, 1.49 ms late
   * with sd 0.41 ms (3.6 sd), lay 0.56 ms after it (now sd 0.56 ms, 2.7 sd).
   */
  private onsetSd(x: Float32Array, onset: RefinedOnset, plateauP: number, bandNoiseP: number, broadNoiseP: number): number {
    const fit = this.onsetSdS(onset.A, plateauP, bandNoiseP, broadNoiseP);
    const after = onset.after / this.sampleRate;
    if (after > fit) return after;
    const spread = onset.spread / 2 / this.sampleRate;
    if (spread <= fit) return fit;
    const directOverNoiseDb = 10 * Math.log10((onset.A * onset.A) / 2 / Math.max(bandNoiseP, 1e-20));
    if (directOverNoiseDb < CLEAN_DIRECT_DB) return spread;
    const early = this.toneEarly(x, onset.t, onset.A, 0);
    return early && early.under_direct_db <= CLEAN_EARLY_DB ? fit : spread;
  }

  /**
   * Standard uncertainty of the onset: the CUSUM change point's scatter (about noise power over direct-sound power,
   * in samples: Hinkley 1971) plus a term for a direct sound weak against the echo that builds up after it (direct
   * amplitude A against the burst's plateau), plus half a sample.
   */
  private onsetSdS(A: number, plateauP: number, bandNoiseP: number, broadNoiseP: number): number {
    const directP = (A * A) / 2;
    const stat = (2 * Math.max(broadNoiseP, 1e-20)) / Math.max(directP, 1e-20);
    const echo = Math.sqrt(plateauP / Math.max(directP, 1e-20));
    const band = Math.sqrt(bandNoiseP / Math.max(directP, 1e-20));
    return (0.5 + Math.min(stat, 1000)) / this.sampleRate + 0.0002 * Math.min(echo, 30) + 0.0005 * Math.min(band, 30);
  }

  /**
   * The onset's uncertainty (seconds) and why the onset is not placeable (null when it is): uncertain, tone after it
   * well under the plateau, tone in any phase or in its own phase just before it. plateauP: the beep's tone power;
   * bandNoiseP: in-band interference before it; broadNoiseP: everything else while it sounds. An onset refused by
   * these is tried once more as the change point of the direct sound and the echo's build-up (tone-step.ts); `t` is the onset taken (samples).
   */
  judge(x: Float32Array, n: number, onset: RefinedOnset, plateauP: number, bandNoiseP: number, broadNoiseP: number): { t: number; onsetSd: number; why: string | null; step: boolean } {
    const routed = this.judgeRoutes(x, n, onset, plateauP, bandNoiseP, broadNoiseP);
    const r = this.withInPhaseLead(x, this.withLeadIn(x, { ...routed, onsetSd: Math.max(routed.onsetSd, ONSET_SD_FLOOR_S) }));
    const local = this.localScatter(x, r.t, plateauP);
    if (!local) return this.withTurn(x, r, onset.t);
    // The scatter's limit holds even where another term widened the sd more: a wider sd does not make the scatter's
    // tails lighter. Room variant 611's rt5-drr-9-snr10-mp3-both start beep (DRR -9 dB), read 21.6 ms late on the
    // echo's build-up with a scatter of 1.92 ms, was placeable at the in-phase lead's capped 2.00 ms (tsync62).
    const why = r.why ?? (local.sd > MAX_SCATTER_SD_S ? `onset uncertain by ${(local.sd * 1000).toFixed(1)} ms: tone-band sound ${(-local.underDb).toFixed(1)} dB under the direct sound in the ${LOCAL_NOISE_S * 1000} ms before the onset (interference, or the beep's own build-up where the onset is read late; a change point's scatter over ${(MAX_SCATTER_SD_S * 1000).toFixed(1)} ms, its errors' tails being heavier than a normal's)` : null);
    return this.withTurn(x, { ...r, onsetSd: Math.max(local.sd, r.onsetSd), why }, onset.t);
  }

  /**
   * The edge route's onset (at `edgeT`, samples), placeable by every other check, is refused where the tone turns
   * against its phase after it (turnsAgainstWhy). Only the edge route's: it fits a step to the level it reads after the
   * onset, assuming the direct sound holds it; the change point of direct sound and echo lets the level walk after
   * the step (the echo building up, which can cancel a weak direct sound for a while) and has its own checks of a
   * sound of its own (ownSoundWhy).
   */
  private withTurn<R extends { t: number; why: string | null }>(x: Float32Array, r: R, edgeT: number): R {
    if (r.why !== null || r.t !== edgeT) return r;
    const why = this.turnsAgainstWhy(x, r.t);
    return why ? { ...r, why } : r;
  }

  /**
   * Why the tone after an onset t (samples) is not the beep's direct sound: within AFTER_S after it, a 2-period
   * window's component along the onset's phase (its first 2 periods from 0.5 ms after t) falls under MIN_HELD_PHASE
   * times their amplitude; null when it holds.
   */
  private turnsAgainstWhy(x: Float32Array, t: number): string | null {
    const sr = this.sampleRate;
    const W = Math.max(4, Math.round((2 * sr) / this.toneHz));
    const P = W >> 1;
    const a0 = Math.round(t + 0.0005 * sr);
    const [r0, i0] = this.demod(x, a0, a0 + W);
    const p0 = r0 * r0 + i0 * i0;
    if (!(p0 > 0)) return null;
    let low = Infinity;
    let at = 0;
    for (let a = a0 + P; a + W <= Math.min(x.length, Math.round(t + AFTER_S * sr)); a += P) {
      const [re, im] = this.demod(x, a, a + W);
      // A window stronger than the first 2 periods is other sound over the beep (a talker), which says nothing of the onset.
      if (re * re + im * im > p0) continue;
      const held = (re * r0 + im * i0) / p0;
      if (held < low) [low, at] = [held, a];
    }
    if (!(low < MIN_HELD_PHASE)) return null;
    return `the tone turns against the onset's phase ${(((at - t) / sr) * 1000).toFixed(1)} ms after it (${low.toFixed(2)} of its first 2 periods' amplitude along that phase): a burst of its own in the tone's band, such as a talker's voice pulse, not the beep's direct sound, which holds its phase from its arrival`;
  }

  /**
   * In a lossy stream (the codec's pre-echo span preEchoS > 0), the onset's sd is at least half its lead-in
   * (tone-onset.ts leadInS: tone in its phase already 6 dB over the noise before the beep and above the codec's
   * pre-echo, PRE_ECHO_DB under the direct sound, right before it), as two readings' spread sets it (agreeing,
   * onsetSd): the change point, fitting a step to a ramp, may be late by the ramp's length. Lossless streams are not
   * widened: their tone right before a beep is the room's and the talkers' own sound (HIDDEN_DIRECT_DB), judged by the
   * checks before the onset. Measured on room variants 47 and 57 (lossy room microphones at DRR -6 and -9 dB, RT60 0.3
   * and 0.8 s): onsets read 2.99 and 2.46 ms late with sds of 0.43 and 1.09 ms had lead-ins of 2.5 and 3.25 ms.
   */
  private withLeadIn<R extends { t: number; onsetSd: number; why: string | null }>(x: Float32Array, r: R): R {
    if (!(this.preEchoS > 0)) return r;
    const sr = this.sampleRate;
    const W = Math.max(4, Math.round((2 * sr) / this.toneHz));
    const T = Math.round(r.t);
    const demod = (a: number, b: number) => this.demod(x, a, b);
    const noiseE = meanWindowEnergy(demod, T - Math.round(0.12 * sr), T - Math.round(0.02 * sr), W);
    const [pr, pi] = demod(T, T + W);
    const directE = pr * pr + pi * pi;
    if (noiseE === null || !(directE > 0)) return r;
    const m = Math.sqrt(directE);
    const minE = Math.max(LEAD_IN_OVER_NOISE * noiseE, directE * 10 ** (PRE_ECHO_DB / 10));
    const sd = leadInS(demod, T, W, sr, pr / m, pi / m, minE) / 2;
    if (sd <= r.onsetSd) return r;
    const why = r.why ?? (sd > MAX_ONSET_SD_S ? `onset uncertain by ${(sd * 1000).toFixed(1)} ms: the tone ramps up in its phase over ${(2 * sd * 1000).toFixed(1)} ms before the onset (a codec's smoothed transient or early echo), which the onset may be late by` : null);
    return { ...r, onsetSd: sd, why };
  }

  /**
   * The onset's sd is at least half the distance to the earliest burst of tone in its own phase within IN_PHASE_LEAD_DB
   * of the direct sound (one-period windows, tone-onset.ts inPhaseLeadS), in any stream: the direct sound may have
   * arrived there, a dip after it (a talker's glottal pulse over the beep's start, in opposite phase) read as the
   * onset. The bound keeps it under MAX_ONSET_SD_S: a burst that brief can as well be the talker's, in phase by chance.
   */
  private withInPhaseLead<R extends { t: number; onsetSd: number; why: string | null }>(x: Float32Array, r: R): R {
    const sr = this.sampleRate;
    const P = Math.max(4, Math.round(sr / this.toneHz));
    const T = Math.round(r.t);
    const demod = (a: number, b: number) => this.demod(x, a, b);
    // The direct sound's phase and its energy in a one-period window: the 2 periods from 0.5 ms after the onset.
    const a0 = T + Math.round(0.0005 * sr);
    const [pr, pi] = demod(a0, a0 + 2 * P);
    const m = Math.hypot(pr, pi);
    if (!(m > 0)) return r;
    const minE = (m / 2) ** 2 * 10 ** (IN_PHASE_LEAD_DB / 10);
    const sd = inPhaseLeadS(demod, T, P, sr, pr / m, pi / m, minE, IN_PHASE_LEAD_SPAN_S) / 2;
    return sd > r.onsetSd ? { ...r, onsetSd: sd } : r;
  }

  /**
   * The change point's scatter in the tone-band sound just before the onset t (samples): Hinkley's (1970) argmax
   * variance 26 / delta^4 for a step in the mean of white noise (Yao 1987; stepScatterS), delta^2 = directP / sigma^2
   * per sample, sigma^2 = P N / 2 from the mean power P of the 10 ms windows ending 0.5 ms to LOCAL_NOISE_S before t
   * (the noise taken as white over their band), directP the tone power of the 2 periods after t (at most the
   * plateau's). The fits' own sds take the noise over the beep, or 20-150 ms before it, and speech is bursty: on room
   * variant 9 three lav onsets read 2.2-2.9 ms off with sd 0.31-0.55 ms had in-band speech 6-9 dB under the direct
   * sound in those 20 ms (now sd 3.3-6.0 ms, not placeable). Read late on the echo's build-up, the windows hold the
   * beep's own first sound: variant 45's end beep of rt3-drr-6-snr10-aac-both, 29.7 ms late with sd 0.95 ms, now 2.8 ms
   * (not placeable). Null where there is too little audio before t.
   */
  private localScatter(x: Float32Array, t: number, plateauP: number): { sd: number; underDb: number } | null {
    const sr = this.sampleRate;
    const N = this.winN;
    const M = Math.max(1, Math.round(sr / this.toneHz));
    const T = Math.round(t);
    const first = T - Math.round(LOCAL_NOISE_S * sr) - N;
    if (first < 0) return null;
    let sum = 0;
    let k = 0;
    for (let a = T - Math.round(0.0005 * sr) - N; a >= first; a -= M, k++) {
      const [re, im] = this.demod(x, a, a + N);
      sum += (2 * (re * re + im * im)) / (N * N);
    }
    const P = sum / Math.max(k, 1);
    const directP = Math.min(this.directA(x, T) ** 2 / 2, plateauP);
    const sd = (Math.sqrt(26) * ((P * N) / 2)) / Math.max(directP, 1e-30) / sr;
    return { sd, underDb: 10 * Math.log10(Math.max(P, 1e-30) / Math.max(directP, 1e-30)) };
  }

  /** The edge route's onset, or the change point where it refuses (judge), with its uncertainty and verdict. */
  private judgeRoutes(x: Float32Array, n: number, onset: RefinedOnset, plateauP: number, bandNoiseP: number, broadNoiseP: number): { t: number; onsetSd: number; why: string | null; step: boolean } {
    const first = this.judgeEdge(x, n, onset, plateauP, bandNoiseP, broadNoiseP);
    const echo = this.judgeEcho(x, n, onset, plateauP);
    if (first.why !== null) {
      if (!echo || echo.why !== null) return { t: onset.t, ...first, why: echo?.ringing && !first.ringing ? `${first.why}; ${echo.why}` : first.why };
      const earlier = (onset.t - echo.t) / this.sampleRate;
      // The edge onset refused for tone in its own phase before it, and the change point more than 2 ms earlier: the
      // change point took that tone for the direct sound, and nothing says it was not interference. On room variant 9 a
      // burst of speech 5 ms before the beep was read so (4.8 ms early, sd 0.06 ms; test/sync-beep-pair-content.test.ts
      // has one 33 ms early); on the tuned room sets (variants 0-7) no change point stood in for an edge onset refused so.
      if (first.toneBefore && earlier > MAX_EARLIER_THAN_EDGE_S) return { t: onset.t, ...first, why: `${first.why}; the change point of direct sound and echo lies ${(earlier * 1000).toFixed(1)} ms before the edge, on that tone, which may be interference as well as the direct sound` };
      const onBurst = this.onFallenBurst(onset.t, first.fellAtS, echo.t);
      if (onBurst) return { t: onset.t, ...first, why: `${first.why}; ${onBurst}` };
      return echo;
    }
    // The edge route's onset placeable and the change point known within 4 ms (twice what placing by it needs): two
    // readings more than 2 ms + 2 sd apart do not stand together, and neither is taken. The edge route reads late on
    // the echo's build-up (held-out room variant 6: 6.75 ms late with sd 0.38 ms, where the change point was 0.45 ms
    // from the truth); the change point can read early at speech just before the beep (room variant 2, a dry lav: 10.7
    // ms early, interval 1 ms, where the edge route was right). So a disagreement is refused, whichever is earlier.
    if (!echo || !echo.sure) return { t: onset.t, ...this.unsureEcho(onset, first, echo) };
    const gap = (onset.t - echo.t) / this.sampleRate;
    // The change point's profile interval (fitSd), not its wider scatter: a disagreement refuses, the safe side.
    // Agreeing with a change point too uncertain to place by (its interval over MAX_ECHO_INTERVAL_S) says no more than
    // that interval: the edge onset's sd is widened as beside an unsure one (room variant 180 rt3-drr-9-snr0-aac-start:
    // read 2.50 ms late with sd 0.52 ms, the change point 0.04 ms from it in an interval 3.25 ms wide; now 0.81 ms).
    const agree = Math.abs(gap) <= 0.002 + 2 * (first.onsetSd + echo.fitSd);
    // Agreeing with a change point refused as a sound varying faster than echo, and the tone changing after the onset by more than
    // a beep's echo would: both readings may sit at the start of that sound (OWN_SOUND_CHANGE).
    const change = agree && echo.fastWalk ? this.changesAfter(x, onset.t) : 0;
    if (change > OWN_SOUND_CHANGE) return { t: onset.t, onsetSd: first.onsetSd, step: first.step, why: onOwnSoundWhy(gap, echo.why, change) };
    if (agree) return this.agreed(onset, this.unsureEcho(onset, first, echo, MAX_ECHO_INTERVAL_S), echo, gap);
    return { t: onset.t, onsetSd: first.onsetSd, step: first.step, why: `two readings of the onset disagree by ${(gap * 1000).toFixed(1)} ms (edge ${gap > 0 ? 'after' : 'before'} the change point of direct sound and echo): the onset cannot be trusted` };
  }

  /**
   * Why a change point at `echoT` (samples) cannot stand in for an edge onset at `edgeT` refused because the tone falls
   * back to the noise `fellAtS` after it (fallWhy: a burst of its own), or null: a change point before that fall lies
   * on the same burst, since a beep's direct sound holds from its arrival (the fall check of judgeEcho, which measures
   * the noise over tone-step.ts's profile, may not see the gap that the noise 150-20 ms before the onset shows). Found on
   * room variant 231 (`--geometry drawn`) rt5-drr6-snr10-mp3-both-24s: the lav's end beep, its edge onset refused (the
   * tone at the noise 5 ms after it, -1.0 dB over it), was taken from the change point 4 samples after that onset,
   * placeable with sd 0.11 ms and 7.44 ms early (69.8 sd); every stream placed by that beep would carry it. Measured
   * where it was not made (every audio file's beeps): room variant 10, nowhere; the held-out room variant 232
   * (`--geometry drawn`, made after it), once: a lav's start beep that was placeable 16.6 ms early with sd 0.10 ms.
   */
  private onFallenBurst(edgeT: number, fellAtS: number | null, echoT: number): string | null {
    if (fellAtS === null || echoT >= edgeT + fellAtS * this.sampleRate) return null;
    const fromMs = ((echoT - edgeT) / this.sampleRate) * 1000;
    return `the change point of direct sound and echo (${fromMs >= 0 ? '+' : ''}${fromMs.toFixed(1)} ms from that onset) lies before that fall, on the same burst`;
  }

  /**
   * The edge route's onset where the change point of direct sound and echo is not sure: where that change point found a
   * step (its direct sound within MIN_ECHO_DIRECT_DB of the plateau) but its profile-likelihood interval is wider than
   * 2 MAX_ECHO_INTERVAL_S (`widerThanS`; MAX_ECHO_INTERVAL_S for a change point that agrees with the edge onset but is
   * refused as uncertain, judgeRoutes) and holds the edge onset, the onset's sd is at least that interval's (width / 4, tone-step.ts).
   * The edge route fits a step to the amplitude it reads 4 periods after the onset and so assumes the direct sound
   * holds that level from its first sample; the change point lets the level walk after the step (the echo building
   * up, an in-band transient), and a wide interval says the data do not pin the step down under that model (a profile
   * likelihood interval, Wilks; Hinkley 1970 for a change point). Measured on room variant 55
   * rt5-drr-6-snr10-wav-both's room microphone (DRR -6 dB): the end beep read 1.49 ms late with sd 0.56 ms beside an
   * interval 5.5 ms wide; variant 59 rt8-drr-3-snr10-wav-both's lav: the end beep read 2.05 ms early on a speech
   * transient in the beep's phase, sd 0.44 ms, interval 6.5 ms. The sd taken is at most UNSURE_ECHO_SD_FACTOR times
   * the edge route's own. Over MAX_ONSET_SD_S the onset is not placeable.
   */
  private unsureEcho<T extends { onsetSd: number; why: string | null }>(onset: RefinedOnset, first: T, echo: { fitSd: number; lo: number; hi: number; directDb: number } | null, widerThanS = 2 * MAX_ECHO_INTERVAL_S): T {
    if (!echo || echo.directDb < MIN_ECHO_DIRECT_DB || echo.hi - echo.lo <= widerThanS * this.sampleRate) return first;
    if (onset.t < echo.lo || onset.t > echo.hi || echo.fitSd <= first.onsetSd) return first;
    const sd = Math.min(echo.fitSd, UNSURE_ECHO_SD_FACTOR * first.onsetSd);
    const why = first.why ?? (sd > MAX_ONSET_SD_S ? `onset uncertain by ${(sd * 1000).toFixed(1)} ms: the change point of direct sound and echo lies anywhere in ${(((echo.hi - echo.lo) / this.sampleRate) * 1000).toFixed(1)} ms around it (direct sound weak against room echo, noise or a sound just before the beep)` : null);
    return { ...first, onsetSd: sd, why };
  }

  /**
   * The onset of two readings that agree: the edge onset (agreeing), or, where the echo shows in the edge route's
   * direct sound (ECHO_SHOWS_DB) and the change point passed its own checks, the change point, its uncertainty the
   * largest of the edge route's (with half their distance) and its own.
   */
  private agreed<E extends { onsetSd: number; why: string | null; step: boolean; directDb: number }>(onset: RefinedOnset, first: E, echo: { t: number; onsetSd: number; why: string | null }, gap: number): E & { t: number } {
    const kept = this.agreeing(first, gap);
    if (echo.why !== null || first.directDb > ECHO_SHOWS_DB) return { ...kept, t: onset.t };
    return { ...kept, t: echo.t, onsetSd: Math.max(kept.onsetSd, echo.onsetSd) };
  }

  /**
   * Two readings of the onset that agree within their tolerance: the edge onset is kept, its uncertainty at least half
   * their distance (as onsetSd takes half the distance between the direct arrival and the edge's change point). The
   * edge route's fitted sd says how sharp its own step is, not how late the amplitude it fits with (4 periods, where
   * the echo has begun to build up) puts it: on generated beeps (DRR -9 dB, RT60 0.3 s, white noise 10-20 dB under the
   * beep; docs/sync-history.md) an edge onset 2.2-2.3 ms late kept sd 0.35-0.37 ms (6-7 sd) beside a change point 0.2 ms from
   * the truth. Over MAX_ONSET_SD_S the onset is not placeable, as any onset that uncertain.
   */
  private agreeing<T extends { onsetSd: number; why: string | null }>(first: T, gap: number): T {
    const onsetSd = Math.max(first.onsetSd, Math.abs(gap) / 2);
    if (onsetSd === first.onsetSd) return first;
    const why = first.why ?? (onsetSd > MAX_ONSET_SD_S ? `onset uncertain by ${(onsetSd * 1000).toFixed(1)} ms (two readings of the onset ${(Math.abs(gap) * 1000).toFixed(1)} ms apart)` : null);
    return { ...first, onsetSd, why };
  }

  /**
   * The change point of the direct sound and the echo's build-up (tone-step.ts) within 120 ms before the coarse edge,
   * taken when its interval is narrow and nothing before it says it is late (tone-early.ts, tone-onset.ts).
   */
  private judgeEcho(x: Float32Array, n: number, onset: RefinedOnset, plateauP: number): { t: number; onsetSd: number; fitSd: number; why: string | null; sure: boolean; step: boolean; lo: number; hi: number; directDb: number; ringing: boolean; fastWalk: boolean } | null {
    const sr = this.sampleRate;
    const phase = (i: number) => this.osc(this.bufStart + i);
    // A sine of amplitude A gives a block mean of magnitude A / 2: block power plateauP / 2.
    const echo = echoOnset(x, n, phase, onset.edge, plateauP / 2, sr, this.toneHz);
    if (!echo) return null;
    const width = (echo.hi - echo.lo) / sr;
    const A = this.directA(x, echo.t);
    // The checks before the onset keep the profile interval's margin; the reported sd is the larger of it and the
    // scatter a step this weak has in this noise (stepScatterS).
    const fitSd = Math.max(echo.sd_s, 0.5 / sr);
    const scatter = stepScatterS(A, plateauP / 2, echo.noise_block_p, echo.block_n, sr);
    const directDb = 20 * Math.log10(A / Math.sqrt(2 * plateauP));
    const early = this.toneEarly(x, echo.t, A, fitSd);
    const restart = this.restartAfter(x, echo.t, echo.noise_block_p);
    const measures = {
      directDb,
      fall: this.fallWhy(x, n, echo.t, echo.noise_block_p, 'the change point of direct sound and echo')?.why ?? null,
      holdDb: this.holdDb(x, n, echo.t, echo.noise_block_p),
      qDb: echo.q_over_plateau_db,
      width,
      scatter,
      early,
      before: this.toneBeforeOnset(x, echo.t, fitSd, plateauP),
      restart,
    };
    const why = this.echoWhy(measures);
    // Refused as a ringing sound's: judgeRoutes names it beside an edge onset refused for another reason.
    const ringing = restart !== null && why === ringingWhy(restart, ECHO_WHAT);
    // Refused as a sound that varies faster than a room's echo builds up (judgeRoutes: an edge onset that agrees with
    // it may be that sound's start). Not for the other verdicts of a sound of its own: a DRR -9 dB beep's echo can
    // cancel its tone 10-20 ms in (room variant 231 rt8-drr-9-snr10-opus-both's end beep, 0.28 ms off: no hold).
    const fastWalk = why !== null && why === this.fastWalkWhy(measures.qDb);
    return { t: echo.t, onsetSd: Math.max(fitSd, scatter), fitSd, why, sure: width <= 2 * MAX_ECHO_INTERVAL_S && directDb >= MIN_ECHO_DIRECT_DB, step: isStep(early), lo: echo.lo, hi: echo.hi, directDb, ringing, fastWalk };
  }

  /**
   * How much the tone changes in the AFTER_S after an onset t (samples): the largest power of the difference between
   * a 2-period window's complex amplitude there and the first one's (from 0.5 ms after t), over the first one's power.
   * After a beep's onset the difference is the echo built up since (its power at most the plateau's less the direct
   * sound's); after the start of a sound before the beep it is the beep's arrival as well.
   */
  private changesAfter(x: Float32Array, t: number): number {
    const sr = this.sampleRate;
    const W = Math.max(4, Math.round((2 * sr) / this.toneHz));
    const a0 = Math.round(t + 0.0005 * sr);
    const [r0, i0] = this.demod(x, a0, a0 + W);
    const p0 = r0 * r0 + i0 * i0;
    let most = 0;
    for (let a = Math.round(t + 0.002 * sr); a + W <= Math.min(x.length, Math.round(t + AFTER_S * sr)); a += Math.round(0.001 * sr)) {
      const [re, im] = this.demod(x, a, a + W);
      most = Math.max(most, ((re - r0) ** 2 + (im - i0) ** 2) / Math.max(p0, 1e-30));
    }
    return most;
  }

  /** The direct sound's amplitude at an onset t (samples): the tone's in the 2 periods after it. */
  private directA(x: Float32Array, t: number): number {
    const L = Math.max(4, Math.round((2 * this.sampleRate) / this.toneHz));
    const [re, im] = this.demod(x, Math.round(t), Math.round(t) + L);
    return (2 * Math.hypot(re, im)) / L;
  }

  /**
   * A ringing sound's restart in the RING_SPAN_S after an onset t (samples; tone-ringing.ts), judged in one-period blocks
   * against the noise's block power; null when there is none.
   */
  private restartAfter(x: Float32Array, t: number, noiseBlockP: number): ToneRestart | null {
    const M = Math.max(1, Math.round(this.sampleRate / this.toneHz));
    const to = Math.min(t + RING_SPAN_S * this.sampleRate, x.length);
    return toneRestarts((a, b) => this.demod(x, a, b), t, to, M, this.sampleRate, noiseBlockP);
  }

  /** Why the edge route's onset is a ringing sound's (restartAfter), or null. */
  private edgeRinging(x: Float32Array, onset: RefinedOnset): string | null {
    const noise = this.noiseBlockP(x, onset.t);
    const restart = noise === null ? null : this.restartAfter(x, onset.t, noise);
    return restart ? ringingWhy(restart, 'the onset') : null;
  }

  /**
   * Why the sound after the change point of direct sound and echo is a sound of its own, not a beep's direct sound and
   * echo (it falls back to the noise, rings and starts again, does not hold, or walks faster than any room's echo
   * builds up), or null.
   */
  private ownSoundWhy(m: { fall: string | null; holdDb: number; qDb: number; restart: ToneRestart | null }): string | null {
    if (m.fall) return m.fall;
    if (m.restart) return ringingWhy(m.restart, ECHO_WHAT);
    if (m.holdDb < MIN_HOLD_DB) return `the tone does not hold after the change point of direct sound and echo (${m.holdDb.toFixed(1)} dB over the noise 10-20 ms after it): a click or burst of its own, not the beep's direct sound`;
    return this.fastWalkWhy(m.qDb);
  }

  /** Why the change point's walk (qDb, of the plateau per period) is faster than any room's echo builds up, or null. */
  private fastWalkWhy(qDb: number): string | null {
    const fastestQDb = 10 * Math.log10(13.8 / (this.toneHz * MIN_RT60_S));
    if (qDb <= fastestQDb) return null;
    return `the sound after the change point of direct sound and echo varies faster than a room's echo builds up (walk ${qDb.toFixed(1)} dB of the plateau per period, more than the ${fastestQDb.toFixed(1)} dB of RT60 ${MIN_RT60_S} s): a sound of its own, such as speech before the beep, not its direct sound`;
  }

  /** Why the change point of direct sound and echo is not placeable (judgeEcho's measures), or null. */
  private echoWhy(m: { directDb: number; fall: string | null; holdDb: number; qDb: number; width: number; scatter: number; early: EarlyTone | null; before: BeforeOnset | null; restart: ToneRestart | null }): string | null {
    if (m.directDb < MIN_ECHO_DIRECT_DB) return `no step at the change point of direct sound and echo (${m.directDb.toFixed(1)} dB under the plateau): not the beep's direct sound`;
    const own = this.ownSoundWhy(m);
    if (own) return own;
    if (m.width > MAX_ECHO_INTERVAL_S) return `onset uncertain: the change point of direct sound and echo lies anywhere in ${(m.width * 1000).toFixed(1)} ms (direct sound weak against room echo or noise)`;
    if (m.scatter > MAX_SCATTER_SD_S) return `onset uncertain by ${(m.scatter * 1000).toFixed(1)} ms: the direct sound at the change point of direct sound and echo is too weak against the noise of one-period blocks to time it (a change point's scatter over ${(MAX_SCATTER_SD_S * 1000).toFixed(1)} ms)`;
    if (m.early && m.early.under_direct_db > MAX_EARLY_DB) return `tone ${(-m.early.under_direct_db).toFixed(1)} dB under the direct sound ${(m.early.ends_before_s * 1000).toFixed(1)} ms before the onset (any phase): no clean step from the noise, the onset may be read late on the echo's build-up`;
    return toneBeforeWhy(m.before, this.preEchoS > 0, this.lossless);
  }

  /**
   * Why an onset t (samples) whose step (the strongest 2 periods in STEP_S after it) stands STRONG_STEP_DB over the noise is not the beep's: the tone
   * falls back to the noise within FALL_S (fallDb), with how far after t it fell (seconds), or null. The noise:
   * noiseBlockP, or the mean block power of one period from 150 to 20 ms before t (as tone-step.ts profiles it).
   */
  private fallWhy(x: Float32Array, n: number, t: number, noiseBlockP: number | null, what: string): { why: string; atS: number } | null {
    const M = Math.max(1, Math.round(this.sampleRate / this.toneHz));
    const noise = noiseBlockP ?? this.noiseBlockP(x, t);
    if (noise === null) return null;
    // The step: the strongest 2-period window in the first STEP_S (a burst's window ramps up; the direct sound is steady).
    let stepA = 0;
    for (let a = Math.round(t); a <= Math.round(t + STEP_S * this.sampleRate) - 2 * M; a += M) stepA = Math.max(stepA, this.directA(x, a));
    const stepDb = 10 * Math.log10((stepA / 2) ** 2 / Math.max(noise, 1e-30));
    if (stepDb < FIRM_STEP_DB) return null;
    const fall = this.fallDb(x, n, t, noise);
    // fallDb's floor (-300 dB) stands for a window at or under the noise's power.
    if (fall.db > (stepDb >= STRONG_STEP_DB ? FALL_DB : -200)) return null;
    return { why: `the tone falls back to the noise ${(fall.atS * 1000).toFixed(1)} ms after ${what} (${fall.db < -99 ? 'not' : `${fall.db.toFixed(1)} dB`} over it, where the step stood ${stepDb.toFixed(1)} dB over it): a burst of its own before the beep, not its direct sound`, atS: fall.atS };
  }

  /**
   * The mean block power of one period from 150 to 20 ms before t (samples), as tone-step.ts profiles the noise; null
   * where the audio does not reach that far back.
   */
  private noiseBlockP(x: Float32Array, t: number): number | null {
    const M = Math.max(1, Math.round(this.sampleRate / this.toneHz));
    const a0 = Math.round(t - 0.15 * this.sampleRate);
    const k = Math.floor((0.13 * this.sampleRate) / M);
    if (a0 < 0) return null;
    let noise = 0;
    for (let j = 0, a = a0; j < k; j++, a += M) {
      const [re, im] = this.demod(x, a, a + M);
      noise += (re * re + im * im) / (M * M) / k;
    }
    return noise;
  }

  /**
   * The weakest 2-period window from 2 periods to FALL_S after a change point t (samples): its mean block power less
   * the noise's block power, over the noise's, dB, and where it starts after t (seconds).
   */
  private fallDb(x: Float32Array, n: number, t: number, noiseBlockP: number): { db: number; atS: number } {
    const M = Math.max(1, Math.round(this.sampleRate / this.toneHz));
    const last = Math.floor((FALL_S * this.sampleRate) / M) - 2;
    const p: number[] = [];
    for (let k = 2, a = Math.round(t) + 2 * M; k <= last + 1 && a + M <= n; k++, a += M) {
      const [re, im] = this.demod(x, a, a + M);
      p.push((re * re + im * im) / (M * M));
    }
    let low = Infinity;
    let at = 0;
    for (let k = 0; k + 1 < p.length; k++) if ((p[k] + p[k + 1]) / 2 < low) [low, at] = [(p[k] + p[k + 1]) / 2, k + 2];
    if (!Number.isFinite(low)) return { db: Infinity, atS: 0 };
    return { db: 10 * Math.log10(Math.max(low - noiseBlockP, 1e-30) / Math.max(noiseBlockP, 1e-30)), atS: (at * M) / this.sampleRate };
  }

  /**
   * How the tone holds after a change point t (samples): the mean power of the one-period blocks from HOLD_S / 2 to
   * HOLD_S after it, less the noise's block power, over the noise's block power, dB.
   */
  private holdDb(x: Float32Array, n: number, t: number, noiseBlockP: number): number {
    const M = Math.max(1, Math.round(this.sampleRate / this.toneHz));
    const half = Math.floor(((HOLD_S / 2) * this.sampleRate) / M);
    let sum = 0;
    for (let k = 0, a = Math.round(t) + half * M; k < half; k++, a += M) {
      if (a + M > n) return Infinity;
      const [re, im] = this.demod(x, a, a + M);
      sum += (re * re + im * im) / (M * M);
    }
    return 10 * Math.log10(Math.max(sum / half - noiseBlockP, 1e-30) / Math.max(noiseBlockP, 1e-30));
  }

  /** The checks of the edge route's onset (onsetOf): uncertainty, direct sound against the plateau, tone before it. */
  private judgeEdge(x: Float32Array, n: number, onset: RefinedOnset, plateauP: number, bandNoiseP: number, broadNoiseP: number): { onsetSd: number; why: string | null; directDb: number; step: boolean; toneBefore: boolean; ringing: boolean; fellAtS: number | null } {
    const onsetSd = this.onsetSd(x, onset, plateauP, bandNoiseP, broadNoiseP);
    const before = this.toneBeforeOnset(x, onset.t, onsetSd, plateauP);
    const early = this.toneEarly(x, onset.t, onset.A, onsetSd);
    // The direct sound's power (amplitude A over the 4 periods after the onset) against the burst's plateau.
    const directDb = 10 * Math.log10((onset.A * onset.A) / 2 / Math.max(plateauP, 1e-20));
    const afterEdge = onset.after / this.sampleRate;
    const ringWhy = this.edgeRinging(x, onset);
    let fell: { why: string; atS: number } | null = null;
    const why =
      onsetSd > MAX_ONSET_SD_S && afterEdge >= onsetSd
        ? `onset uncertain by ${(onsetSd * 1000).toFixed(1)} ms: the direct sound's arrival read ${(afterEdge * 1000).toFixed(1)} ms after the tone's rise near the edge (an echo dip after the direct sound), which it may be late by`
        : onsetSd > MAX_ONSET_SD_S
        ? `onset uncertain by ${(onsetSd * 1000).toFixed(1)} ms (direct sound weak against room echo or noise)`
        : directDb < MIN_DIRECT_DB
          ? `the tone after the onset is ${(-directDb).toFixed(1)} dB below the beep's plateau (room echo stronger than the direct sound): the onset may be read late, on the echo's build-up`
          : early && early.under_direct_db > MAX_EARLY_DB
          ? `tone ${(-early.under_direct_db).toFixed(1)} dB under the direct sound ${(early.ends_before_s * 1000).toFixed(1)} ms before the onset (any phase): no clean step from the noise, the onset may be read late on the echo's build-up`
          : (toneBeforeWhy(before, this.preEchoS > 0, this.lossless) ?? (fell = this.fallWhy(x, n, onset.t, null, 'the onset'))?.why ?? ringWhy);
    // Refused only for tone in the onset's own phase before it (judge: the change point may have taken that tone).
    const toneBefore = why !== null && why === toneBeforeWhy(before, this.preEchoS > 0, this.lossless);
    const fellAtS = fell !== null && why === fell.why ? fell.atS : null;
    return { onsetSd, why, directDb, step: isStep(early), toneBefore, ringing: why !== null && why === ringWhy, fellAtS };
  }
}

/** The first index of S[0 .. len) holding its largest value (a loop of its own, as reverseCusum; tone-demod.ts). */
function argMax(S: Float64Array, len: number): number {
  let best = 0;
  for (let k = 1; k < len; k++) if (S[k] > S[best]) best = k;
  return best;
}
