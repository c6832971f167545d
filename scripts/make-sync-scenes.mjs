#!/usr/bin/env node
/**
 * Camera scenes with known truth for the flash (video) side of `mmprep sync` (issue 11 item 6; format in
 * docs/sync.md, "Accuracy measured"; the detector's history: docs/sync-history.md). Each case is a folder with a reference microphone (lav.wav, a
 * clean 1 kHz beep at the true times), a camera file (cam.mp4: H.264 picture and, for most cases, an AAC sound track
 * with the beep as heard in a moderate room) and truth.json.
 *
 *   node scripts/make-sync-scenes.mjs --out DIR [--set small|full|real|colour|busy|edge|pairedge|ledlen|fast|damage] [--variant N] [--only ID] [--av-skew S]
 *     [--picture-from DIR]   (a case whose DIR/<id>.mp4 exists takes it as its cam.mp4: fixtures/sync/pictures)
 *   node scripts/make-sync-scenes.mjs --list [--set ...] [--variant N]   (the recipes as JSON lines, nothing made)
 *   node scripts/make-sync-scenes.mjs --copy-subject [SRC_PNG]   (refreshes fixtures/sync/scenes/astronaut-160.png)
 *
 * Frames are rendered here (RGB, 640x360 by default) and piped to ffmpeg: a background (plain wall, or ffmpeg's
 * testsrc2 / mandelbrot / cellauto / life sources streamed in), a moving, zooming, gesturing subject (the astronaut
 * portrait), a monitor whose content changes in steps, auto exposure (fades, steps, pumps), then the LED: a patch
 * whose colour is blended by the exact fraction of the frame's exposure [t, t + shutter·T) during which the LED was
 * lit (so onsets fall between frames and a 180° shutter integrates over half the frame period). The camera's clock
 * runs at (1 + drift) against the reference: a pulse at camera time t is at reference time t·(1 + drift·1e-6) + offset.
 * Deterministic: fixed seeds (mulberry32), no wall clock; ffmpeg with bitexact flags; x264 with 3 threads on any machine.
 *
 * `--variant N` (N >= 1, full and real sets) makes a held-out set: the same kinds of scenes with other seeds (subject,
 * steps, noise, offsets, drifts, skews, pulse times), LEDs of other sizes (8-44 px) at other places along the frame
 * edge, in white, red, green or amber, other pulse lengths (0.1-0.5 s) and another pairing of frame rate, codec,
 * exposure and shutter. Variant 0 (the default) is the set the detector's thresholds were tuned on (docs/sync-history.md
 * "Accuracy measured").
 *
 * `--set real` composites LEDs onto real footage from Debian's opencv-doc (vtest.avi, Megamind.avi; see realSet), for
 * the bench only: the footage is not copied into the repository; absent files are skipped with one line. Before
 * 2026-12-08 `--variant` did not reach this set: every "real footage, variant N" made until then is variant 0's 17
 * cases. A variant N >= 1 now draws its own segment starts, LEDs (variantLed), pulse lengths and seeds.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolPath } from './ffmpeg-bin.mjs';
import { writeWav } from './wav.mjs';
import { rng } from './rng.mjs';
import { WASM_BASE64 as PIXELS_WASM } from './scene-pixels-bytes.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCENE_FIX = join(root, 'fixtures', 'sync', 'scenes');
const SUBJECT_PNG = join(SCENE_FIX, 'astronaut-160.png');
const SPEECH = ['001', '002', '003', '004', '005'].map((n) => join(root, 'fixtures', 'sync', 'speech', `${n}.wav`));
const SR = 48000;

let ffmpegBin = null;
/** The ffmpeg to run, found at its first use (a case taking a committed picture may run none: --picture-from). */
const FFMPEG = () => (ffmpegBin ??= toolPath('ffmpeg'));

function ffmpegSync(args, input) {
  const r = spawnSync(FFMPEG(), ['-nostdin', '-y', '-v', 'error', ...args], { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

// ---------------------------------------------------------------------------------------------------------------
// Cases

const FPS = { 25: [25, 1], 30: [30, 1], 29.97: [30000, 1001], 10: [10, 1], 23.976: [24000, 1001] };

/** Real footage for the bench (`--set real`): Debian's opencv-doc ships it (apt-get install opencv-doc). */
const FOOTAGE_DIR = '/usr/share/doc/opencv-doc/examples/data';
const FOOTAGE = {
  // People walking in a shopping arcade (fixed camera, 768x576 MS-MPEG4 at 10 fps, 79.5 s).
  vtest: { file: join(FOOTAGE_DIR, 'vtest.avi'), w: 640, h: 480, fps: 10, dur_s: 79.5 },
  // A film trailer excerpt with cuts, pans and flashes of its own (720x528 MPEG-4 at 23.976 fps, 11.26 s).
  megamind: { file: join(FOOTAGE_DIR, 'Megamind.avi'), w: 640, h: 468, fps: 23.976, dur_s: 11.2 },
};

/** One case's recipe. Times of pulses are on the camera's clock (jittered by the seed). */
function recipe(id, o) {
  return {
    id,
    w: 640,
    h: 360,
    fps: 29.97,
    crf: 26,
    dur_s: 20,
    bg: 'wall',
    subject: 'walk',
    monitor: true,
    exposure: 'none',
    led: { px: 16, color: 'white', pos: 'tr' },
    shutter: 1,
    pulses: [2.0],
    pulse_s: 0.2,
    offset_s: 0,
    drift_ppm: 0,
    cam_audio: true,
    av_skew_s: 0,
    screen_step: false,
    expect: 'placed',
    seed: 1,
    ...o,
  };
}

/** Non-round device offsets, drifts, skews and pulse times from the case's seed. */
function jitter(c) {
  const r = rng(c.seed * 7919 + 13);
  const pulses = c.pulses.map((p) => Math.round((p + (r.u() - 0.5) * 0.6) * 1e4) / 1e4);
  return {
    ...c,
    offset_s: c.offset_s || Math.round((0.3 + r.u() * 2.4) * 1e5) / 1e5,
    drift_ppm: c.drift_ppm === 'rand' ? Math.round(20 + r.u() * 80) * (r.u() < 0.5 ? -1 : 1) : c.drift_ppm,
    av_skew_s: c.av_skew_s === 'rand' ? Math.round((r.u() - 0.3) * 0.06 * 1e4) / 1e4 : c.av_skew_s,
    pulses,
  };
}

function smallSet() {
  return [
    recipe('s-led8-edge-walk-2997', { led: { px: 8, color: 'white', pos: 'r' }, pulses: [2, 10], dur_s: 12, crf: 26, drift_ppm: 60, av_skew_s: 0.012, seed: 11 }),
    recipe('s-red16-testsrc2-25-180deg', { bg: 'testsrc2', fps: 25, led: { px: 16, color: 'red', pos: 'bl' }, shutter: 0.5, pulses: [2.5], dur_s: 8, crf: 28, subject: 'none', av_skew_s: -0.02, seed: 12 }),
    recipe('s-screen-pump-30-nosound', { fps: 30, led: { px: 0, color: 'white', pos: 'screen' }, exposure: 'pump', pulses: [3], dur_s: 8, cam_audio: false, seed: 13 }),
    recipe('s-led8-life-fade-30-both-nosound', { bg: 'life', fps: 30, crf: 23, exposure: 'fade', led: { px: 8, color: 'white', pos: 'tr' }, pulses: [2, 14], dur_s: 16, pulse_s: 0.1, drift_ppm: 80, cam_audio: false, seed: 16 }),
    recipe('s-neg-cross-step', { pulses: [], exposure: 'steps', screen_step: true, subject: 'cross', dur_s: 8, cam_audio: false, expect: 'not_found', seed: 14 }),
  ];
}

/**
 * A CI-sized pair for small coloured LEDs in a busy scene (test/sync-flash-colour.test.ts): a 10 px red LED off the
 * 4 px cell grid on the scrolling cellauto source, 180° shutter, exposure pumps, CRF 28; and the same scene with the
 * LED dark while the camera hears its beep (negative control of the guided search).
 */
function colourSet() {
  const base = { bg: 'cellauto', subject: 'none', monitor: false, fps: 25, exposure: 'pump', shutter: 0.5, crf: 28, pulses: [2.5], dur_s: 6, pulse_s: 0.2, av_skew_s: 0.008 };
  const led = { px: 10, color: 'red', pos: 'xy', x: 90, y: 346 };
  return [
    recipe('c-led10red-cellauto-25-pump-180deg', { ...base, led, seed: 21 }),
    recipe('c-neg-cellauto-beep-noled', { ...base, led, led_dark: true, expect: 'not_found', seed: 22 }),
  ];
}

/**
 * CI-sized cases for the searches of a camera without sound in busy scenes (test/sync-flash-busy.test.ts): an 8 px
 * red LED over the game of life with a subject crossing, pulses at both ends (the start/end pair search: a red LED
 * changes the grey picture a quarter of what it changes its brightest channel), a screen flash over a zooming
 * mandelbrot with a subject walking in front and an exposure step 2-3 frames before the flash (the whole-picture
 * detection), and that busy scene without any pulse (negative control).
 */
function busySet() {
  const nosound = { cam_audio: false, crf: 28, pulse_s: 0.2 };
  return [
    recipe('b-led8red-life-2997-pump-both-nosound', { ...nosound, bg: 'life', subject: 'cross', exposure: 'pump', led: { px: 8, color: 'red', pos: 'xy', x: 592, y: 350 }, pulses: [2.5, 8.5], dur_s: 11, drift_ppm: 40, seed: 31 }),
    recipe('b-screen-mandelbrot-walk-30-steps-nosound', { ...nosound, bg: 'mandelbrot', fps: 30, crf: 26, exposure: 'steps', led: { px: 0, color: 'white', pos: 'screen' }, pulses: [2.78], dur_s: 8, seed: 128 }),
    recipe('b-neg-mandelbrot-walk-30-steps-nosound', { ...nosound, bg: 'mandelbrot', fps: 30, crf: 26, exposure: 'steps', pulses: [], dur_s: 8, expect: 'not_found', seed: 33 }),
  ];
}

/**
 * CI-sized pair for the guided search's re-examination at the source's resolution (test/sync-flash-edge.test.ts):
 * an 8 px amber LED 4 px from the left edge over the flickering cellauto scene with a subject crossing, 29.97 fps,
 * CRF 30, with camera sound: the recipe (and seed) of variant 17's cellauto-led8amber-x4y209-2997-crf30-none, which the
 * 320 px search refused; and the same scene with the LED dark while the camera hears its beep (negative control).
 */
function edgeSet() {
  const base = { bg: 'cellauto', subject: 'cross', fps: 29.97, crf: 30, exposure: 'none', pulses: [3], dur_s: 14, pulse_s: 0.4, av_skew_s: 'rand', seed: 17116 };
  const led = { px: 8, color: 'amber', pos: 'xy', x: 4, y: 209 };
  return [recipe('e-led8amber-cellauto-2997-edge', { ...base, led }), recipe('e-neg-cellauto-beep-noled', { ...base, led, led_dark: true, expect: 'not_found' })];
}

/**
 * CI-sized pair for the start/end pair search's re-examination at the source's resolution
 * (test/sync-flash-pair-edge.test.ts): a camera without sound, an 8 px green LED 1 px from the left edge over the
 * zooming mandelbrot, 25 fps, CRF 28, exposure steps, 180° shutter, pulses at both ends: the recipe (and seed) of
 * variant 17's mandelbrot-led8green-x1y285-25-crf28-steps-180deg-both-nosound (30 s: shortened to 13 s the end flash
 * fell where no candidate was found even at 640 px), which the 320 px pair
 * search refused; and the same scene with the LED dark while the reference microphone beeps (negative control).
 */
function pairEdgeSet() {
  const base = { bg: 'mandelbrot', subject: 'none', fps: 25, crf: 28, exposure: 'steps', shutter: 0.5, pulses: [3, 27], dur_s: 30, pulse_s: 0.459, drift_ppm: 23, cam_audio: false, seed: 17111 };
  const led = { px: 8, color: 'green', pos: 'xy', x: 1, y: 285 };
  return [recipe('pe-led8green-mandelbrot-25-both-nosound', { ...base, led }), recipe('pe-neg-mandelbrot-noled-both-nosound', { ...base, led, led_dark: true, expect: 'not_found' })];
}

/** A camera's shutter as the fraction of the frame period it is open, for an exposure of `exposureS` seconds. */
const shutterFor = (fps, exposureS) => Math.round(fps * exposureS * 1e5) / 1e5;

/**
 * Fast shutters and the soundless cameras' look window (the sixth-and-twentieth session's probe; docs/sync.md "The
 * LED"): exposures of 1/500-1/2000 s (a shutter open 1-6 % of the frame period), so that the LED is either fully lit
 * or dark in a frame and the partly lit frames that time the onset between frames are missing (the onset aliases to
 * the frame grid), with and without the camera's own sound, start only and both ends, LEDs and whole-frame flashes;
 * then cameras without sound whose flash lies deep in a long unguided window (20-50 s into files of 60-110 s, so that
 * the window the lone flash is judged in is 30-55 s of pulse-free clutter); two negatives of each kind.
 */
function fastSet() {
  const f = (fps, exposureS) => ({ fps, shutter: shutterFor(fps, exposureS) });
  const led = (px, color, pos) => ({ px, color, pos });
  const s = { av_skew_s: 'rand', dur_s: 14 };
  return [
    recipe('f-led12-wall-walk-2997-500', { ...s, ...f(29.97, 1 / 500), led: led(12, 'white', 'tr'), pulse_s: 0.23, seed: 26001 }),
    recipe('f-led16red-testsrc2-25-1000-both', { ...s, ...f(25, 1 / 1000), bg: 'testsrc2', subject: 'none', crf: 28, led: led(16, 'red', 'bl'), pulses: [3, 27], dur_s: 30, drift_ppm: 'rand', pulse_s: 0.2, seed: 26002 }),
    recipe('f-led10green-mandelbrot-30-2000', { ...s, ...f(30, 1 / 2000), bg: 'mandelbrot', subject: 'none', crf: 26, exposure: 'steps', led: led(10, 'green', 'r'), pulse_s: 0.3, seed: 26003 }),
    recipe('f-led14amber-cellauto-cross-25-500', { ...s, ...f(25, 1 / 500), bg: 'cellauto', subject: 'cross', crf: 30, exposure: 'pump', led: led(14, 'amber', 'tl'), pulse_s: 0.15, seed: 26004 }),
    recipe('f-led20-life-walk-2997-1000-both', { ...s, ...f(29.97, 1 / 1000), bg: 'life', crf: 23, exposure: 'fade', led: led(20, 'white', 'br'), pulses: [2, 18], dur_s: 20, drift_ppm: 'rand', pulse_s: 0.4, seed: 26005 }),
    recipe('f-screen-wall-cross-30-2000', { ...s, ...f(30, 1 / 2000), subject: 'cross', exposure: 'pump', led: led(0, 'white', 'screen'), pulse_s: 0.2, seed: 26006 }),
    recipe('f-led16-wall-walk-25-1000-both-nosound', { ...s, ...f(25, 1 / 1000), led: led(16, 'white', 'tr'), pulses: [3, 27], dur_s: 30, drift_ppm: 'rand', pulse_s: 0.25, cam_audio: false, seed: 26007 }),
    recipe('f-led12red-testsrc2-walk-2997-500-both-nosound', { ...s, ...f(29.97, 1 / 500), bg: 'testsrc2', crf: 28, exposure: 'steps', led: led(12, 'red', 'bl'), pulses: [2, 18], dur_s: 20, drift_ppm: 'rand', pulse_s: 0.3, cam_audio: false, seed: 26008 }),
    recipe('f-led20-mandelbrot-25-2000-nosound', { ...s, ...f(25, 1 / 2000), bg: 'mandelbrot', subject: 'none', crf: 28, led: led(20, 'white', 'tr'), pulse_s: 0.2, cam_audio: false, seed: 26009 }),
    recipe('f-screen-life-30-500-nosound', { ...s, ...f(30, 1 / 500), bg: 'life', subject: 'none', exposure: 'fade', led: led(0, 'white', 'screen'), pulse_s: 0.2, cam_audio: false, seed: 26010 }),
    recipe('f-led24-cellauto-2997-2000-nosound', { ...s, ...f(29.97, 1 / 2000), bg: 'cellauto', subject: 'none', crf: 26, led: led(24, 'white', 'r'), pulse_s: 0.35, cam_audio: false, seed: 26011 }),
    recipe('f-led10-wall-walk-30-1000-nosound', { ...s, ...f(30, 1 / 1000), exposure: 'pump', led: led(10, 'white', 'tl'), pulse_s: 0.1, cam_audio: false, seed: 26012 }),
    // CI-sized (test/sync-flash-fast.test.ts): 320x180, 6 s, a soundless camera at 1/1000 s whose LED (lit 200 ms,
    // five whole frames) comes on 0.2 frame into a frame period, so that no frame is partly lit at either end.
    recipe('f-ci-led12-wall-25-1000-nosound', { ...s, w: 320, h: 180, dur_s: 6, ...f(25, 1 / 1000), subject: 'none', led: led(12, 'white', 'tr'), pulses: [1.9957], pulse_s: 0.2, cam_audio: false, seed: 26031 }),
    recipe('f-neg-wall-walk-pump-2997-1000-nosound', { ...s, ...f(29.97, 1 / 1000), exposure: 'pump', pulses: [], cam_audio: false, expect: 'not_found', seed: 26013 }),
    recipe('f-neg-testsrc2-cross-steps-25-500', { ...s, ...f(25, 1 / 500), bg: 'testsrc2', subject: 'cross', exposure: 'steps', screen_step: true, pulses: [], expect: 'not_found', seed: 26014 }),
    // The look window: a soundless camera, start pulse only, the flash deep in a long window of clutter.
    recipe('f-look-led12-wall-walk-2997-fade-nosound', { ...s, exposure: 'fade', led: led(12, 'white', 'tr'), pulses: [41], dur_s: 100, pulse_s: 0.23, cam_audio: false, seed: 26021 }),
    recipe('f-look-led16red-testsrc2-walk-25-180deg-nosound', { ...s, fps: 25, shutter: 0.5, bg: 'testsrc2', crf: 28, led: led(16, 'red', 'bl'), pulses: [22], dur_s: 60, pulse_s: 0.3, cam_audio: false, seed: 26022 }),
    recipe('f-look-screen-cellauto-cross-30-1000-nosound', { ...s, ...f(30, 1 / 1000), bg: 'cellauto', subject: 'cross', exposure: 'steps', led: led(0, 'white', 'screen'), pulses: [33], dur_s: 80, pulse_s: 0.2, cam_audio: false, seed: 26023 }),
    recipe('f-look-led20-life-2997-pump-nosound', { ...s, bg: 'life', subject: 'none', exposure: 'pump', led: led(20, 'white', 'r'), pulses: [48], dur_s: 110, pulse_s: 0.4, cam_audio: false, seed: 26024 }),
    recipe('f-look-neg-wall-cross-steps-25-nosound', { ...s, fps: 25, subject: 'cross', exposure: 'steps', screen_step: true, pulses: [], dur_s: 100, cam_audio: false, expect: 'not_found', seed: 26025 }),
    recipe('f-look-neg-life-walk-pump-2997-nosound', { ...s, bg: 'life', exposure: 'pump', pulses: [], dur_s: 90, cam_audio: false, expect: 'not_found', seed: 26026 }),
  ];
}

/**
 * Damaged H.264 packets (issue 11 leftover: a damaged frame as a flash candidate). `damage`: a list of
 * `{ at_s, packets, key }`: from camera time `at_s` (or `from_pulse_s` after the first pulse), the next `packets`
 * pictures in presentation order (`key`: the next key frame only) get seeded random bytes over a third of their packet
 * (from a third in), as a bad card sector or a dropped network packet leaves them; ffmpeg conceals them (a grey or
 * smeared picture, a burst of blocks) and carries the patch to the next key frame (`gop`: key frames every that many
 * frames, 1-2 s as cameras write). Cases: the damage at a real flash and just before it, in another group of
 * pictures than the flash, in cameras with and without sound; and negatives where the damage falls where the beep
 * says the flash would be (the LED dark) or in a soundless camera's window with no pulse at all.
 */
function damageSet() {
  const b = { av_skew_s: 'rand', dur_s: 12, pulses: [3], crf: 26, gop: 30 };
  const led = (px, color, pos) => ({ px, color, pos });
  return [
    recipe('d-led16-wall-walk-2997-at', { ...b, led: led(16, 'white', 'tr'), pulse_s: 0.23, damage: [{ from_pulse_s: 0.03, packets: 2 }], seed: 26101 }),
    recipe('d-led12red-testsrc2-25-before', { ...b, fps: 25, gop: 25, bg: 'testsrc2', subject: 'none', crf: 28, led: led(12, 'red', 'bl'), pulse_s: 0.2, damage: [{ from_pulse_s: -0.12, packets: 1 }], seed: 26102 }),
    recipe('d-led16-wall-cross-30-othergop', { ...b, fps: 30, subject: 'cross', gop: 30, led: led(16, 'white', 'r'), pulse_s: 0.3, damage: [{ from_pulse_s: -1.6, packets: 3 }, { from_pulse_s: 2.2, key: true }], seed: 26103 }),
    recipe('d-screen-life-2997-key', { ...b, bg: 'life', subject: 'none', led: led(0, 'white', 'screen'), pulse_s: 0.2, damage: [{ from_pulse_s: -1.2, key: true }], seed: 26104 }),
    recipe('d-led20-wall-walk-25-othergop-nosound', { ...b, fps: 25, gop: 25, led: led(20, 'white', 'tl'), pulse_s: 0.25, cam_audio: false, damage: [{ at_s: 6.1, packets: 2 }, { at_s: 8, key: true }], seed: 26105 }),
    recipe('d-led16-mandelbrot-30-at-both-nosound', { ...b, fps: 30, bg: 'mandelbrot', subject: 'none', led: led(16, 'white', 'tr'), pulses: [2, 14], dur_s: 16, drift_ppm: 'rand', pulse_s: 0.3, cam_audio: false, damage: [{ from_pulse_s: 0.05, packets: 2 }], seed: 26106 }),
    recipe('d-neg-wall-walk-2997-beep-noled-at', { ...b, led: led(16, 'white', 'tr'), led_dark: true, pulse_s: 0.2, damage: [{ from_pulse_s: 0, packets: 2 }], expect: 'not_found', seed: 26107 }),
    recipe('d-neg-testsrc2-cross-25-beep-noled-key', { ...b, fps: 25, gop: 25, bg: 'testsrc2', subject: 'cross', led: led(12, 'white', 'r'), led_dark: true, pulse_s: 0.3, damage: [{ from_pulse_s: -0.5, key: true }], expect: 'not_found', seed: 26108 }),
    recipe('d-neg-wall-walk-30-nosound', { ...b, fps: 30, pulses: [], cam_audio: false, damage: [{ at_s: 2.4, packets: 2 }, { at_s: 4.0, key: true }], expect: 'not_found', seed: 26109 }),
    // CI-sized (test/sync-flash-damage.test.ts): 320x180, 6 s.
    recipe('d-ci-neg-life-2997-beep-noled-nosound', { ...b, w: 320, h: 180, dur_s: 8, pulses: [1.2], bg: 'life', subject: 'none', led: led(8, 'white', 'tr'), led_dark: true, pulse_s: 0.2, cam_audio: false, damage: [{ from_pulse_s: 0.0, packets: 2 }], expect: 'not_found', seed: 26111 }),
    recipe('d-neg-life-2997-beep-noled-nosound', { ...b, bg: 'life', subject: 'none', led: led(16, 'white', 'tr'), led_dark: true, pulse_s: 0.2, cam_audio: false, damage: [{ from_pulse_s: 0.0, packets: 2 }], expect: 'not_found', seed: 26110 }),
  ];
}

/** The LED of a held-out variant: size, colour and a place along the frame edge from the variant's own seed. */
/**
 * LEDs lit for another length than the beep (issue 11: many sync boxes hold the LED a fixed 0.1-1 s whatever the
 * tone; `led_s`), cameras with their own sound, in busy scenes (motion, clutter, exposure changes, H.264 CRF 26-30),
 * and negatives that must stay "not found": a light switched on at the beep and left on, a screen flash 0.4 s after
 * the beep (`led_delay_s`), a person walking past with the LED dark. For test/sync-flash-ledlen.test.ts and the bench.
 */
function ledLenSet() {
  const base = { subject: 'walk', pulses: [2.2], dur_s: 7, pulse_s: 0.2, av_skew_s: 'rand' };
  return [
    recipe('l-led16-wall-walk-2997-fade-led1000', { ...base, exposure: 'fade', led: { px: 16, color: 'white', pos: 'tr' }, led_s: 1.0, seed: 5601 }),
    recipe('l-led12red-cellauto-25-pump-180deg-led400', { ...base, bg: 'cellauto', subject: 'none', fps: 25, crf: 28, exposure: 'pump', shutter: 0.5, led: { px: 12, color: 'red', pos: 'bl' }, led_s: 0.4, seed: 5602 }),
    recipe('l-led20-mandelbrot-walk-25-steps-crf30-led700', { ...base, bg: 'mandelbrot', fps: 25, crf: 30, exposure: 'steps', pulse_s: 0.15, led: { px: 20, color: 'white', pos: 'tl' }, led_s: 0.7, seed: 5603 }),
    recipe('l-led14amber-wall-cross-30-pump-led1200', { ...base, subject: 'cross', fps: 30, exposure: 'pump', pulse_s: 0.25, led: { px: 14, color: 'amber', pos: 'r' }, led_s: 1.2, seed: 5604 }),
    recipe('l-led16-life-2997-fade-led50', { ...base, bg: 'life', subject: 'none', crf: 26, exposure: 'fade', pulse_s: 0.3, led: { px: 16, color: 'white', pos: 'br' }, led_s: 0.05, seed: 5605 }),
    recipe('l-led16-testsrc2-25-led80', { ...base, bg: 'testsrc2', subject: 'none', fps: 25, crf: 28, led: { px: 16, color: 'white', pos: 'tr' }, led_s: 0.08, seed: 5606 }),
    recipe('l-led16-wall-walk-25-beep100-led200', { ...base, fps: 25, pulse_s: 0.1, led: { px: 16, color: 'white', pos: 'tr' }, led_s: 0.2, seed: 5607 }),
    recipe('l-neg-led16-wall-walk-2997-lefton', { ...base, led: { px: 16, color: 'white', pos: 'tr' }, led_s: 30, expect: 'not_found', seed: 5611 }),
    recipe('l-neg-screen-wall-walk-2997-delay400', { ...base, led: { px: 0, color: 'white', pos: 'screen' }, led_s: 0.3, led_delay_s: 0.4, expect: 'not_found', seed: 5612 }),
    recipe('l-neg-wall-cross-25-noled', { ...base, subject: 'cross', fps: 25, crf: 28, exposure: 'pump', led: { px: 16, color: 'white', pos: 'r' }, led_dark: true, expect: 'not_found', seed: 5613 }),
  ];
}

function variantLed(r, w, h) {
  const px = [8, 10, 14, 20, 28, 36, 44][Math.floor(r.u() * 7)];
  const color = ['white', 'red', 'green', 'amber'][Math.floor(r.u() * 4)];
  const side = Math.floor(r.u() * 4);
  const along = r.u();
  const inset = Math.floor(r.u() * 6);
  const x = side === 0 ? inset : side === 1 ? w - px - inset : Math.round(along * (w - px));
  const y = side === 2 ? inset : side === 3 ? h - px - inset : Math.round(along * (h - px));
  return { px, color, pos: 'xy', x, y };
}

function fullSet(variant = 0) {
  const out = [];
  let seed = 100 + 1000 * variant;
  const vr = rng(variant * 104729 + 7);
  const pre = variant ? `v${variant}-` : '';
  const bgs = ['wall', 'testsrc2', 'mandelbrot', 'cellauto', 'life'];
  const fpss = [29.97, 25, 30];
  const crfs = [23, 26, 28, 30];
  const sizes = [8, 12, 16, 24, 40];
  const poss = ['tr', 'r', 'bl', 'tl', 'br'];
  const exps = ['none', 'fade', 'steps', 'pump'];
  // Positive scenes: every background with every LED size, cycling frame rates, codecs, exposure behaviour, both
  // ends or start only, with and without camera sound.
  let k = variant * 7;
  for (const bg of bgs) {
    for (const px0 of sizes) {
      const vled = variant ? variantLed(vr, 640, 360) : null;
      const px = vled ? vled.px : px0;
      const fps = fpss[k % 3];
      const crf = crfs[k % 4];
      const exposure = exps[(k + Math.floor(k / 4)) % 4];
      const both = k % 2 === 0;
      const red = vled ? vled.color === 'red' : k % 5 === 3;
      const color = vled ? vled.color : red ? 'red' : 'white';
      const shutter = k % 3 === 1 ? 0.5 : 1;
      const sound = k % 4 !== 2;
      const short = k % 6 === 5;
      const id = `${pre}${bg}-led${px}${color === 'white' ? '' : color}-${vled ? `x${vled.x}y${vled.y}` : poss[k % 5]}-${String(fps).replace('.', '')}-crf${crf}-${exposure}${shutter < 1 ? '-180deg' : ''}${both ? '-both' : ''}${sound ? '' : '-nosound'}${short ? '-short' : ''}`;
      out.push(
        recipe(id, {
          bg,
          fps,
          crf,
          exposure,
          shutter,
          subject: bg === 'wall' || k % 2 ? (k % 3 === 0 ? 'cross' : 'walk') : 'none',
          led: vled ?? { px, color, pos: poss[k % 5] },
          pulses: short ? [2, 18] : both ? [3, 27] : [3],
          dur_s: short ? 20 : both ? 30 : 14,
          pulse_s: variant ? Math.round((0.1 + vr.u() * 0.4) * 1000) / 1000 : [0.1, 0.2, 0.3, 0.5][k % 4],
          drift_ppm: both ? 'rand' : 0,
          av_skew_s: 'rand',
          cam_audio: sound,
          seed: seed++,
        }),
      );
      k++;
    }
  }
  // Whole-frame (screen / photo) flashes.
  for (const [i0, bg] of ['wall', 'testsrc2', 'life', 'mandelbrot'].entries()) {
    const i = (i0 + variant) % 4;
    out.push(recipe(`${pre}${bg}-screen-${String(fpss[i % 3]).replace('.', '')}-${exps[i]}`, { bg, fps: fpss[i % 3], exposure: exps[i], led: { px: 0, color: 'white', pos: 'screen' }, pulses: i % 2 ? [2, 18] : [3], dur_s: i % 2 ? 20 : 12, drift_ppm: i % 2 ? 'rand' : 0, av_skew_s: 'rand', cam_audio: i !== 2, seed: seed++ }));
  }
  // Negative controls: no pulse anywhere (lav without a beep; camera without sound or with unrelated room noise).
  const negs = [
    ['wall', 'cross', 'steps', true],
    ['wall', 'walk', 'pump', false],
    ['testsrc2', 'walk', 'fade', true],
    ['mandelbrot', 'none', 'none', false],
    ['cellauto', 'cross', 'steps', true],
    ['life', 'walk', 'pump', false],
    ['wall', 'cross', 'none', true],
    ['testsrc2', 'cross', 'steps', false],
  ];
  for (const [i0, [bg, subject, exposure, step]] of negs.entries()) {
    const i = (i0 + variant) % 8;
    out.push(recipe(`${pre}neg-${bg}-${subject}-${exposure}${step ? '-screenstep' : ''}`, { bg, subject, exposure, screen_step: step, fps: fpss[i % 3], crf: crfs[i % 4], pulses: [], dur_s: 14, cam_audio: i % 2 === 0, expect: 'not_found', seed: seed++ }));
  }
  return out;
}

/**
 * LEDs composited onto real footage (the bench's hardest material, not CI): a small white LED at the edge, a red LED
 * behind a 180° shutter, a camera without sound, on segments of vtest.avi (people walking through the view, past the
 * LED's edge) and on Megamind.avi (a film excerpt with cuts and flashes of its own); negative controls are the same
 * footage without a pulse. Footage that is absent is skipped with one line.
 */
function realSet(variant = 0) {
  const out = [];
  // Variant 0: the recipes benched since the set was made. A variant N >= 1 draws its own segment starts, LEDs (size,
  // colour, place along the edge: variantLed), pulse lengths and seeds, so a held-out real set is new material.
  let seed = variant ? 5000 + 1000 * variant : 5000;
  const vr = rng(variant * 104729 + 11);
  const pre = variant ? `v${variant}-` : '';
  for (const [name, f] of Object.entries(FOOTAGE)) {
    if (!existsSync(f.file)) {
      console.log(`skipped: ${f.file} absent (Debian package opencv-doc): no ${name} cases`);
      continue;
    }
    const segs0 = name === 'vtest' ? [0, 26, 52] : [0];
    const segs = variant && name === 'vtest' ? segs0.map((s) => Math.round((s + vr.u() * 1.2) * 10) / 10) : segs0;
    const dur = name === 'vtest' ? 26 : f.dur_s;
    const ends = name === 'vtest' ? [2, 23] : [1.6, 9.2];
    const base = { bg: name, subject: 'none', monitor: false, w: f.w, h: f.h, fps: f.fps, dur_s: dur, crf: 26, av_skew_s: 'rand' };
    for (const [si, start] of segs.entries()) {
      const tag = `${name}${segs.length > 1 ? `@${start}s` : ''}`;
      const led = (px, color, pos) => (variant ? variantLed(vr, f.w, f.h) : { px, color, pos });
      const pulseS = (d) => (variant ? Math.round((0.1 + vr.u() * 0.4) * 1000) / 1000 : d);
      const l1 = led(8, 'white', 'r');
      const l2 = led(12, 'red', 'bl');
      const l3 = led(10, 'white', 'tl');
      const ledTag = (l, t) => (variant ? `led${l.px}${l.color === 'white' ? '' : l.color}-x${l.x}y${l.y}` : t);
      out.push(recipe(`${pre}real-${tag}-${ledTag(l1, 'led8-r')}-both`, { ...base, src_start_s: start, led: l1, pulses: ends, drift_ppm: 'rand', pulse_s: pulseS(0.2), seed: seed++ }));
      out.push(recipe(`${pre}real-${tag}-${ledTag(l2, 'led12red-bl')}-180deg-both-nosound`, { ...base, src_start_s: start, led: l2, shutter: 0.5, pulses: ends, drift_ppm: 'rand', pulse_s: pulseS(0.3), cam_audio: false, crf: 28, seed: seed++ }));
      out.push(recipe(`${pre}real-${tag}-${ledTag(l3, 'led10-tl')}-start${si % 2 ? '-nosound' : ''}`, { ...base, src_start_s: start, led: l3, pulses: [ends[0] + 0.5], pulse_s: pulseS(0.15), cam_audio: si % 2 === 0, exposure: si === 1 ? 'fade' : 'none', seed: seed++ }));
      out.push(recipe(`${pre}real-${tag}-neg${si % 2 ? '-nosound' : ''}`, { ...base, src_start_s: start, pulses: [], cam_audio: si % 2 === 0, expect: 'not_found', seed: seed++ }));
    }
    // The camera heard its beeps but its LED stayed dark (failed, or covered): a negative control of the guided
    // search, with beeps where people walk past (vtest@52s: a pedestrian scored 1.3x the window's pulse-free maximum
    // within a beep's span and was placed with confidence 0.9986 before the small-null bound and shape check of
    // flash-null.ts). `mmprep sync --ends both` refused its picture (exit 2) even before, its start flash not being
    // placeable; the end one was placeable (confidence 0.97 in the session's span), now it is not.
    if (name === 'vtest') {
      const start = segs[2];
      const pulses = variant ? [Math.round((4 + vr.u() * 6) * 1e4) / 1e4, Math.round((14 + vr.u() * 8) * 1e4) / 1e4] : [7.6512, 17.9881];
      out.push(recipe(`${pre}real-vtest@${start}s-beep-noled`, { ...base, src_start_s: start, led: { px: 10, color: 'white', pos: 'tl' }, led_dark: true, pulses, pulse_s: 0.2, expect: 'not_found', seed: variant ? seed++ : 5101 }));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Picture

/** Fraction of the exposure [t0, t0 + shutter·T) during which any pulse [p, p + d) was lit (0..1). */
function litFraction(t0, T, shutter, pulses, d) {
  const e = shutter * T;
  let on = 0;
  for (const p of pulses) on += Math.max(0, Math.min(t0 + e, p + d) - Math.max(t0, p));
  return Math.min(1, on / e);
}

/** Exposure gain at camera time t: fades, steps and pumps of an auto-exposure loop. */
function exposureGain(kind, t, dur) {
  if (kind === 'fade') return 0.75 + 0.45 * Math.min(1, t / dur) + 0.1 * Math.sin(t * 0.7);
  if (kind === 'steps') return [1, 0.8, 1.15, 0.9, 1.05][Math.floor(t / 2.7) % 5];
  if (kind === 'pump') {
    const ph = (t % 3.1) / 3.1;
    return 1 - 0.3 * Math.exp(-((ph - 0.4) ** 2) / 0.004);
  }
  return 1;
}

/** ffmpeg's input arguments for a case's background: a lavfi source, or real footage scaled to the case's size. */
function bgInput(c) {
  const { w, h } = c;
  const [fpsNum, fpsDen] = FPS[c.fps];
  if (FOOTAGE[c.bg]) {
    // Real footage at its own frame rate, scaled to the case's size, from the case's start time in the file.
    return ['-ss', String(c.src_start_s), '-i', FOOTAGE[c.bg].file, '-vf', `scale=${w}:${h}:flags=area`];
  }
  const src = {
    testsrc2: `testsrc2=size=${w}x${h}:rate=${fpsNum}/${fpsDen}`,
    mandelbrot: `mandelbrot=size=${w}x${h}:rate=${fpsNum}/${fpsDen}:maxiter=256`,
    cellauto: `cellauto=size=${w}x${h}:rate=${fpsNum}/${fpsDen}:rule=110:seed=7:scroll=1`,
    life: `life=size=${w}x${h}:rate=${fpsNum}/${fpsDen}:seed=7:ratio=0.12:mold=20:life_color=#c8c8b4:death_color=#282830:mold_color=#605040`,
  }[c.bg];
  return ['-f', 'lavfi', '-i', src];
}

/** The number of frames of a case's video. */
function frameCount(c) {
  const [num, den] = FPS[c.fps];
  return Math.round(c.dur_s / (den / num));
}

/** What a case's background stream depends on: ffmpeg's input arguments, the size and the frame count. */
const bgKey = (c) => JSON.stringify([bgInput(c), c.w, c.h, frameCount(c)]);

/**
 * Background frames kept for later cases of this run that stream the very same source (a set's negative control
 * repeats its positive case's scene): key -> { uses: cases still to stream it, frames }. ffmpeg's sources are
 * deterministic (fixed seeds), so kept frames are the bytes a second ffmpeg run would stream.
 */
const bgKept = new Map();

/** Counts, before rendering, how many of the cases stream each background (only those used twice are kept). */
function planBackgrounds(cases) {
  for (const c of cases) {
    if (c.bg === 'wall') continue;
    const k = bgKey(c);
    bgKept.set(k, { uses: (bgKept.get(k)?.uses ?? 0) + 1, frames: null });
  }
}

/**
 * A case's background frames, one read-only Buffer per frame: kept ones, or ffmpeg's (kept if a later case wants them;
 * if not, the source's recycle takes each back once drawn from).
 */
function backgroundFrames(c) {
  const k = bgKey(c);
  const kept = bgKept.get(k);
  if (kept) kept.uses--;
  if (kept?.frames) {
    const frames = kept.frames;
    if (kept.uses <= 0) bgKept.delete(k);
    let i = 0;
    return { next: async () => frames[i++] ?? null };
  }
  const src = rawFrames(bgInput(c), c.w, c.h, frameCount(c));
  if (!kept || kept.uses <= 0) {
    bgKept.delete(k);
    return src;
  }
  // Kept frames are not handed back (no recycle).
  kept.frames = [];
  return {
    async next() {
      const f = await src.next();
      if (f) kept.frames.push(f);
      return f;
    },
  };
}

/**
 * ffmpeg's frames of `input` in order (next: a Buffer, null at the end); recycle(frame) hands a frame the caller has
 * done with back for a later frame to be read into (a fresh 0.7 MB Buffer a frame cost its page faults).
 */
function rawFrames(input, w, h, n) {
  const child = spawn(FFMPEG(), ['-nostdin', '-v', 'error', ...input, '-frames:v', String(n), '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const size = w * h * 3;
  const spare = [];
  // Each chunk is copied once into the frame being filled (concatenating it onto the partial frame copied that frame
  // again for every 64 KiB pipe chunk); a trailing partial frame is dropped.
  let frame = Buffer.allocUnsafe(size);
  let filled = 0;
  const queue = [];
  let done = false;
  let wake = null;
  child.stdout.on('data', (d) => {
    for (let p = 0; p < d.length; ) {
      const k = Math.min(size - filled, d.length - p);
      d.copy(frame, filled, p, p + k);
      filled += k;
      p += k;
      if (filled === size) {
        queue.push(frame);
        frame = spare.pop() ?? Buffer.allocUnsafe(size);
        filled = 0;
      }
    }
    if (queue.length > 8) child.stdout.pause();
    wake?.();
  });
  child.stdout.on('end', () => {
    done = true;
    wake?.();
  });
  return {
    async next() {
      while (!queue.length && !done) await new Promise((r) => (wake = r));
      wake = null;
      const f = queue.shift();
      if (queue.length < 4) child.stdout.resume();
      return f ?? null;
    },
    recycle: (f) => spare.push(f),
  };
}

/** A still wall: soft gradient with plaster texture and a dark door frame (a still area the subject crosses). */
function wallFrame(w, h, seed) {
  const r = rng(seed);
  const f = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const n = (r.u() - 0.5) * 10;
      const door = x > w * 0.62 && x < w * 0.78 && y > h * 0.2 ? -70 : 0;
      const v = 150 + 40 * (y / h) - 20 * (x / w) + n + door;
      const i = (y * w + x) * 3;
      f[i] = v + 8;
      f[i + 1] = v;
      f[i + 2] = v - 12;
    }
  }
  return f;
}

/** The subject's pixels, decoded once per run (drawSubject only reads them). */
let subjectPixels = null;
function loadSubject() {
  subjectPixels ??= { w: 160, h: 160, data: ffmpegSync(['-i', SUBJECT_PNG, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']) };
  return subjectPixels;
}

/** The subject's centre, scale and arm height at camera time t (walks or crosses the frame, zooms, gestures). */
function subjectPose(kind, t, w, h) {
  if (kind === 'cross') {
    // Crosses from left to right every 6 s, through the still wall and past the door.
    const ph = (t % 6) / 6;
    return { cx: -100 + ph * (w + 200), cy: h * 0.55, s: 0.9, arm: Math.sin(t * 5) };
  }
  return { cx: w * 0.45 + w * 0.2 * Math.sin(t * 0.8), cy: h * 0.55 + 20 * Math.sin(t * 1.7), s: 0.85 + 0.25 * Math.sin(t * 0.45), arm: Math.sin(t * 3.1) };
}

function drawSubject(f, w, h, sub, pose) {
  const size = Math.round(sub.w * pose.s * 1.3);
  const x0 = Math.round(pose.cx - size / 2);
  const y0 = Math.round(pose.cy - size / 2);
  for (let y = Math.max(0, y0); y < Math.min(h, y0 + size); y++) {
    const sy = Math.floor(((y - y0) / size) * sub.h);
    for (let x = Math.max(0, x0); x < Math.min(w, x0 + size); x++) {
      const u = (x - x0) / size - 0.5;
      const v = (y - y0) / size - 0.5;
      if (u * u / 0.2 + v * v / 0.25 > 1) continue; // oval portrait mask
      const sx = Math.floor(((x - x0) / size) * sub.w);
      const si = (sy * sub.w + sx) * 3;
      const i = (y * w + x) * 3;
      f[i] = sub.data[si];
      f[i + 1] = sub.data[si + 1];
      f[i + 2] = sub.data[si + 2];
    }
  }
  // A gesturing hand: a skin-coloured disc beside the head moving up and down.
  const hx = pose.cx + size * 0.55;
  const hy = pose.cy + size * 0.3 * pose.arm;
  const rr = size * 0.12;
  for (let y = Math.max(0, Math.floor(hy - rr)); y < Math.min(h, hy + rr); y++) {
    for (let x = Math.max(0, Math.floor(hx - rr)); x < Math.min(w, hx + rr); x++) {
      if ((x - hx) ** 2 + (y - hy) ** 2 > rr * rr) continue;
      const i = (y * w + x) * 3;
      f[i] = 224;
      f[i + 1] = 172;
      f[i + 2] = 140;
    }
  }
}

/** A monitor in the scene whose slide changes in steps (never a pulse): clutter that jumps and stays. */
function drawMonitor(f, w, h, t, seed) {
  const slide = Math.floor((t + (seed % 5)) / 2.3);
  const r = rng(seed * 31 + slide);
  const base = [40 + r.u() * 180, 40 + r.u() * 180, 40 + r.u() * 180];
  const x0 = Math.round(w * 0.08);
  const y0 = Math.round(h * 0.12);
  for (let y = y0; y < y0 + Math.round(h * 0.22); y++) {
    for (let x = x0; x < x0 + Math.round(w * 0.2); x++) {
      const i = (y * w + x) * 3;
      const stripe = ((x >> 3) + slide) % 3 === 0 ? 30 : 0;
      f[i] = base[0] + stripe;
      f[i + 1] = base[1] + stripe;
      f[i + 2] = base[2];
    }
  }
}

/** A screen-sized change that arrives and stays (a slide change filling most of the view): flash-like, not a pulse. */
function drawScreenStep(f, w, h, t, at) {
  if (t < at) return;
  for (let y = Math.round(h * 0.15); y < Math.round(h * 0.85); y++) {
    for (let x = Math.round(w * 0.1); x < Math.round(w * 0.9); x++) {
      const i = (y * w + x) * 3;
      f[i] = 235;
      f[i + 1] = 235;
      f[i + 2] = 240;
    }
  }
}

function ledRect(c) {
  const { w, h } = c;
  const s = c.led.px;
  if (c.led.pos === 'xy') return [c.led.x, c.led.y];
  const m = 2; // a few pixels from the edge
  switch (c.led.pos) {
    case 'tr':
      return [w - s - m, m];
    case 'r':
      return [w - s, Math.round(h * 0.4)];
    case 'bl':
      return [m, h - s - m];
    case 'tl':
      return [0, m];
    default:
      return [w - s - m, h - s - m];
  }
}

function applyLed(f, c, frac) {
  const { w, h } = c;
  if (c.led.pos === 'screen') {
    // A whole-frame flash (a white screen filling the view, a photo flash): every pixel pulled toward white.
    const k = 0.6 * frac;
    for (let i = 0; i < w * h * 3; i++) f[i] = f[i] + k * (250 - f[i]);
    return;
  }
  const [x0, y0] = ledRect(c);
  const s = c.led.px;
  const on = { red: [250, 40, 30], green: [40, 240, 60], amber: [255, 170, 20] }[c.led.color] ?? [252, 252, 248];
  const off = [55, 50, 50];
  for (let y = y0; y < y0 + s; y++) {
    for (let x = x0; x < x0 + s; x++) {
      const i = (y * w + x) * 3;
      for (let ch = 0; ch < 3; ch++) f[i + ch] = off[ch] + frac * (on[ch] - off[ch]);
    }
  }
}

/**
 * The frame's two whole-frame loops in WebAssembly (scripts/scene-pixels.wat, bit-identical to the JavaScript
 * `fl[i] *= gain` and `v < 0 ? 0 : v > 255 ? 255 : v | 0` they replace; about 3 of a 640x360 frame's 6 ms of
 * JavaScript): the float frame `fl` and its bytes `out` live in the module's memory, grown to the largest frame.
 */
const PIXELS = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(PIXELS_WASM, 'base64'))).exports;

/**
 * The module's float frame (n values) and byte frame after it, views valid until the next call. One pair for the
 * whole process: renderVideo awaits inside its frame loop (the background source, the encoder's drain), so two
 * renders at once would draw into each other's frame; main() renders the cases one after another for that reason.
 */
function pixelFrames(n) {
  const need = Math.ceil((5 * n) / 65536) - PIXELS.memory.buffer.byteLength / 65536;
  if (need > 0) PIXELS.memory.grow(need);
  return { fl: new Float32Array(PIXELS.memory.buffer, 0, n), out: new Uint8Array(PIXELS.memory.buffer, 4 * n, n) };
}

/** Exposure gain on every value (float32 products); a gain of exactly 1 leaves each value as it is. */
function applyGain(fl, gain) {
  if (gain === 1) return;
  PIXELS.gain(fl.byteOffset, fl.length, gain);
}

/**
 * Byte frames the encoder's pipe has written (its write callback), for the next frames of the same size: a fresh
 * 0.7 MB Buffer a frame cost more in page faults than the clip itself.
 */
const spareFrames = [];

/** Sparse sensor noise (every 97th value, drawn in index order), then the clip to bytes: fl -> out -> a Buffer. */
function noiseAndClip(fl, out, noise) {
  for (let i = 0; i < fl.length; i += 97) fl[i] += noise.g() * 3;
  PIXELS.clip(fl.byteOffset, out.byteOffset, fl.length);
  while (spareFrames.length && spareFrames[spareFrames.length - 1].length !== out.length) spareFrames.pop();
  const f = spareFrames.pop() ?? Buffer.allocUnsafe(out.length); // a copy: the pipe holds it until written
  f.set(out);
  return f;
}

async function renderVideo(c, camPulses, audioWav, outFile) {
  const [num, den] = FPS[c.fps];
  const T = den / num;
  const n = Math.round(c.dur_s / T);
  const { w, h } = c;
  const args = ['-nostdin', '-y', '-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${w}x${h}`, '-framerate', `${num}/${den}`, '-i', 'pipe:0'];
  if (audioWav) args.push('-i', audioWav);
  args.push('-map', '0:v');
  if (audioWav) args.push('-map', '1:a', '-c:a', 'aac', '-b:a', '96k', '-flags:a', '+bitexact');
  // -threads 3: what x264 picks by itself on a 2-core machine (1.5 x cores), where every committed picture and test
  // render was made; its output depends on the thread count, so left to choose, another machine encoded other bytes.
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-threads', '3', '-crf', String(c.crf), ...(c.gop ? ['-g', String(c.gop)] : []), '-pix_fmt', 'yuv420p', '-flags:v', '+bitexact', '-fflags', '+bitexact', '-map_metadata', '-1', outFile);
  const enc = spawn(FFMPEG(), args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  enc.stderr.on('data', (d) => (err += d));
  const closed = new Promise((res) => enc.on('close', res));
  const bgSrc = c.bg === 'wall' ? null : backgroundFrames(c);
  const wall = c.bg === 'wall' ? wallFrame(w, h, c.seed) : null;
  const sub = c.subject === 'none' ? null : loadSubject();
  const noise = rng(c.seed * 17 + 5);
  const stepAt = 2 + rng(c.seed).u() * (c.dur_s - 4);
  const { fl, out } = pixelFrames(w * h * 3); // the frame in float (reused for every frame), clipped once into bytes
  const ledOn = camPulses.map((p) => p + (c.led_delay_s ?? 0));
  const ledS = c.led_s ?? c.pulse_s;
  for (let k = 0; k < n; k++) {
    const t = k * T;
    const src = wall ?? (await bgSrc.next());
    if (src) fl.set(src);
    else fl.fill(0);
    if (src && src !== wall) bgSrc.recycle?.(src);
    if (c.monitor) drawMonitor(fl, w, h, t, c.seed);
    if (c.screen_step) drawScreenStep(fl, w, h, t, stepAt);
    if (sub) drawSubject(fl, w, h, sub, subjectPose(c.subject, t, w, h));
    const gain = exposureGain(c.exposure, t, c.dur_s);
    const frac = litFraction(t, T, c.shutter, ledOn, ledS);
    if (c.led.pos === 'screen') {
      applyLed(fl, c, frac);
      applyGain(fl, gain);
    } else {
      applyGain(fl, gain);
      applyLed(fl, c, frac); // an LED saturates the sensor whatever the exposure
    }
    const f = noiseAndClip(fl, out, noise);
    if (!enc.stdin.write(f, () => spareFrames.push(f))) await new Promise((r) => enc.stdin.once('drain', r));
  }
  enc.stdin.end();
  const code = await closed;
  if (code !== 0) throw new Error(`ffmpeg encode ${outFile}: ${err}`);
  return n;
}

// ---------------------------------------------------------------------------------------------------------------
// Sound

function readWav16(path) {
  const b = readFileSync(path);
  let p = 12;
  let sr = 16000;
  while (p + 8 <= b.length) {
    const id = b.toString('ascii', p, p + 4);
    const size = b.readUInt32LE(p + 4);
    if (id === 'fmt ') sr = b.readUInt32LE(p + 12);
    if (id === 'data') {
      const x = new Float32Array(size >> 1);
      for (let i = 0; i < x.length; i++) x[i] = b.readInt16LE(p + 8 + 2 * i) / 32768;
      return { sr, x };
    }
    p += 8 + size + (size & 1);
  }
  throw new Error(`no data in ${path}`);
}

/** Speech clips at SR (linear interpolation), in a seeded order with gaps. */
function speechBed(totalS, seed, gainDb) {
  const clips = SPEECH.map((f) => {
    const { sr, x } = readWav16(f);
    const k = SR / sr;
    const y = new Float32Array(Math.floor(x.length * k));
    for (let i = 0; i < y.length; i++) {
      const s = i / k;
      const j = Math.floor(s);
      y[i] = x[j] + (s - j) * ((x[Math.min(x.length - 1, j + 1)] ?? 0) - x[j]);
    }
    return y;
  });
  const out = new Float32Array(Math.round(totalS * SR));
  const r = rng(seed);
  const g = 10 ** (gainDb / 20);
  let pos = Math.round(r.u() * 0.5 * SR);
  while (pos < out.length) {
    const c = clips[Math.floor(r.u() * clips.length)];
    for (let i = 0; i < c.length && pos + i < out.length; i++) out[pos + i] += g * c[i];
    pos += c.length + Math.round((0.2 + r.u()) * SR);
  }
  return out;
}

/** Adds 1 kHz bursts at exact (fractional-sample) times, optionally through a few room echoes (delay s, gain). */
function addBeeps(x, times, dur, amp, echoes = []) {
  for (const [delay, g] of [[0, 1], ...echoes]) {
    for (const t0 of times) {
      const t = t0 + delay;
      const i0 = Math.ceil(t * SR);
      const i1 = Math.min(x.length, Math.ceil((t + dur) * SR));
      for (let i = Math.max(0, i0); i < i1; i++) x[i] += g * amp * Math.sin(2 * Math.PI * 1000 * (i / SR - t));
    }
  }
}

function addNoise(x, rms, seed) {
  const r = rng(seed);
  for (let i = 0; i < x.length; i++) x[i] += rms * r.g();
}

function writeWav16(path, x) {
  writeWav(path, x, SR, 16);
}

// A moderate room at the camera: early reflections and a short tail (RT60 about 0.3 s), beep 12 dB over the bed.
const CAM_ECHOES = [[0.0071, 0.45], [0.013, 0.35], [0.021, 0.3], [0.034, 0.2], [0.052, 0.14], [0.08, 0.08], [0.12, 0.05]];

// ---------------------------------------------------------------------------------------------------------------

/** Overwrites part of the packets `c.damage` names with seeded random bytes (damageSet); returns their times (s). */
function damagePackets(file, c) {
  const r = spawnSync(toolPath('ffprobe'), ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,pos,size,flags', '-of', 'json', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`ffprobe ${file}: ${r.stderr}`);
  const packets = JSON.parse(r.stdout).packets.map((p) => ({ t: Number(p.pts_time), pos: Number(p.pos), size: Number(p.size), key: p.flags.startsWith('K') }));
  packets.sort((a, b) => a.t - b.t);
  const bytes = readFileSync(file);
  const u = rng(c.seed * 31 + 3);
  const hit = [];
  for (const d of c.damage) {
    const from = d.at_s ?? c.pulses[0] + d.from_pulse_s;
    const chosen = d.key ? packets.filter((p) => p.key && p.t >= from).slice(0, 1) : packets.filter((p) => p.t >= from).slice(0, d.packets);
    if (!chosen.length) throw new Error(`${c.id}: no packet to damage after ${from} s`);
    for (const p of chosen) {
      const start = p.pos + Math.floor(p.size / 3);
      for (let i = 0; i < Math.floor(p.size / 3); i++) bytes[start + i] = Math.floor(u.u() * 256);
      hit.push(Math.round(p.t * 1e4) / 1e4);
    }
  }
  writeFileSync(file, bytes);
  return hit;
}

/**
 * Renders case `c` into outDir/<id>. `picture`: a file to take as its cam.mp4 instead of rendering one (--picture-from:
 * a committed picture, fixtures/sync/pictures); the sound and the truth are the case's own either way (nothing in them
 * depends on the picture's render but its frame count).
 */
async function makeCase(c, outDir, picture = null) {
  const dir = join(outDir, c.id);
  mkdirSync(dir, { recursive: true });
  const k = 1 + c.drift_ppm * 1e-6;
  const lavS = c.dur_s + c.offset_s + 1;
  // Reference microphone: speech at moderate level, a clean beep, light noise.
  const lav = speechBed(lavS, c.seed, -12);
  addNoise(lav, 0.002, c.seed + 1);
  // Recipes give pulse times on the camera's clock; on the reference clock they are at t_cam·k + offset.
  const camPulses = c.pulses;
  const refPulses = camPulses.map((t) => t * k + c.offset_s);
  addBeeps(lav, refPulses, c.pulse_s, 0.5);
  writeWav16(join(dir, 'lav.wav'), lav);
  let camWav = null;
  if (c.cam_audio && !picture) {
    // The same room's speech (it reaches the camera too) plus the beep through echoes, heard av_skew_s late.
    const cam = new Float32Array(Math.round(c.dur_s * SR));
    // Negative controls: unrelated room noise only (nothing to cross-correlate with the lav).
    const bed = c.expect === 'placed' ? speechBed(lavS, c.seed, -16) : new Float32Array(Math.round(lavS * SR));
    const shift = c.offset_s;
    for (let i = 0; i < cam.length; i++) {
      const s = (i / SR - c.av_skew_s) * k + shift; // reference time of this camera sample (sound av_skew_s late)
      const j = Math.floor(s * SR);
      cam[i] = j >= 0 && j < bed.length ? bed[j] : 0;
    }
    addNoise(cam, 0.004, c.seed + 2);
    addBeeps(cam, camPulses.map((t) => t + c.av_skew_s), c.pulse_s / k, 0.2, CAM_ECHOES);
    camWav = join(dir, 'cam-sound.tmp.wav');
    writeWav16(camWav, cam);
  }
  // led_dark: the beeps are played and heard, the LED never lights (a negative control of the guided search).
  if (picture) copyFileSync(picture, join(dir, 'cam.mp4'));
  const n = picture ? frameCount(c) : await renderVideo(c, c.led_dark ? [] : camPulses, camWav, join(dir, 'cam.mp4'));
  if (camWav) rmSync(camWav);
  const damaged = c.damage ? damagePackets(join(dir, 'cam.mp4'), c) : null;
  const fpsVal = FPS[c.fps][0] / FPS[c.fps][1];
  const streams = [{ file: 'lav.wav', kind: 'audio', stream: 0, offset_s: 0, drift_ppm: 0, snr_db: null }];
  const r7 = (v) => Math.round(v * 1e7) / 1e7;
  streams.push({ file: 'cam.mp4', kind: 'video', stream: 0, offset_s: r7(c.offset_s), drift_ppm: c.drift_ppm, fps: c.fps, frames: n });
  if (c.cam_audio) {
    // t_ref = (t_src - skew)·k + offset = t_src + (offset - skew·k) + (k - 1)·t_src
    streams.push({ file: 'cam.mp4', kind: 'audio', stream: 0, offset_s: r7(c.offset_s - c.av_skew_s * k), drift_ppm: c.drift_ppm, drr_db: null, snr_db: 12 });
  }
  const truth = {
    id: c.id,
    tags: {
      scene: c.subject === 'none' ? c.bg : `${c.bg}+${c.subject}`,
      led_px: c.led.pos === 'screen' ? 'screen' : c.led.px,
      led_color: c.led.color,
      led_pos: c.led.pos,
      fps: c.fps,
      codec: `h264-crf${c.crf}`,
      exposure: c.exposure,
      shutter_deg: c.shutter * 360,
      cam_sound: c.cam_audio,
      screen_step: c.screen_step,
      pulses: c.pulses.length,
      ...(c.led_dark ? { led_dark: true } : {}),
      ...(damaged ? { damaged_packets: damaged.length } : {}),
    },
    ...(damaged ? { damaged_pts_s: damaged } : {}),
    args: c.pulses.length > 1 ? ['--ends', 'both'] : [],
    files: ['lav.wav', 'cam.mp4'],
    expect: c.expect,
    streams: c.expect === 'placed' ? streams : [],
    // Video-side truth for flash tests: onsets on the camera's picture timeline, the pulse length, the LED's box.
    flash: {
      onsets_s: (c.led_dark ? [] : camPulses).map((t) => r7(t + (c.led_delay_s ?? 0))),
      duration_s: c.led_s ?? c.pulse_s,
      region: c.led.pos === 'screen' ? 'whole-frame' : { x_px: ledRect(c)[0], y_px: ledRect(c)[1], w_px: c.led.px, h_px: c.led.px },
      frame_s: 1 / fpsVal,
      beep_on_camera_s: c.cam_audio ? camPulses.map((t) => r7(t + c.av_skew_s)) : null,
      av_skew_s: c.av_skew_s,
    },
  };
  writeFileSync(join(dir, 'truth.json'), JSON.stringify(truth, null, 2) + '\n');
  return truth;
}

function copySubject(src) {
  mkdirSync(SCENE_FIX, { recursive: true });
  ffmpegSync(['-i', src, '-vf', 'scale=160:160:flags=area', '-pix_fmt', 'rgb24', '-fflags', '+bitexact', '-flags', '+bitexact', SUBJECT_PNG]);
  writeFileSync(
    join(SCENE_FIX, 'PROVENANCE.md'),
    '# fixtures/sync/scenes\n\nMade by `node scripts/make-sync-scenes.mjs --copy-subject` (scaled to 160x160 with ffmpeg, area filter).\n\n' +
      '| file | what | source | licence |\n| --- | --- | --- | --- |\n' +
      '| astronaut-160.png | the moving subject of the flash scenes: colour portrait of astronaut Eileen Collins | NASA Great Images, as shipped in scikit-image\'s sample data (Debian package python3-skimage 0.19.3), via /work/shared/media/faces/astronaut.png | public domain |\n',
  );
  console.log(`wrote ${SUBJECT_PNG}`);
}

async function main() {
  const a = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = a.indexOf(name);
    return i >= 0 ? a[i + 1] : dflt;
  };
  if (a.includes('--copy-subject')) return copySubject(resolve(a[a.indexOf('--copy-subject') + 1] ?? join(root, '..', 'shared', 'media', 'faces', 'astronaut.png')));
  const out = opt('--out');
  if (!out && !a.includes('--list')) throw new Error('usage: make-sync-scenes.mjs --out DIR [--set small|full|real|colour|busy|edge|pairedge|ledlen|fast|damage] [--variant N] [--only ID] [--picture-from DIR]');
  if (!existsSync(SUBJECT_PNG)) throw new Error(`${SUBJECT_PNG} missing: run with --copy-subject`);
  const set = opt('--set', 'small');
  const only = opt('--only');
  const variant = Number(opt('--variant', '0'));
  // --picture-from DIR: a case whose DIR/<id>.mp4 exists takes that file as its cam.mp4 (makeCase).
  const pictureFrom = opt('--picture-from');
  const pictureOf = (c) => (pictureFrom && existsSync(join(pictureFrom, `${c.id}.mp4`)) ? join(pictureFrom, `${c.id}.mp4`) : null);
  if (!(Number.isInteger(variant) && variant >= 0)) throw new Error(`--variant ${opt('--variant')}: a whole number >= 0`);
  // --av-skew S: every camera's sound S s late against its picture (a Zoom/Teams or Bluetooth sound: docs/sync.md
  // `av_skew`), in place of the recipes' camera skews (-18 to +42 ms).
  const avSkew = opt('--av-skew') === undefined ? null : Number(opt('--av-skew'));
  if (avSkew !== null && !(Math.abs(avSkew) <= 1)) throw new Error(`--av-skew ${opt('--av-skew')}: seconds, within ±1`);
  const cases = (set === 'full' ? fullSet(variant) : set === 'real' ? realSet(variant) : set === 'colour' ? colourSet() : set === 'busy' ? busySet() : set === 'edge' ? edgeSet() : set === 'pairedge' ? pairEdgeSet() : set === 'ledlen' ? ledLenSet() : set === 'fast' ? fastSet() : set === 'damage' ? damageSet() : smallSet()).map(jitter).map((c) => (avSkew === null ? c : { ...c, av_skew_s: avSkew })).filter((c) => !only || c.id === only);
  if (a.includes('--list')) {
    // The recipes (after the seed's jitter) as JSON lines, nothing rendered.
    for (const c of cases) console.log(JSON.stringify(c));
    return;
  }
  mkdirSync(out, { recursive: true });
  planBackgrounds(cases.filter((c) => !pictureOf(c)));
  // One case at a time: the frame buffers are shared (pixelFrames).
  for (const c of cases) {
    const truth = await makeCase(c, out, pictureOf(c));
    if (!a.includes('--quiet')) console.log(`${truth.id}: ${truth.expect}, flash at ${truth.flash.onsets_s.join(', ') || '-'} s`);
  }
}

main().catch((e) => {
  console.error(`make-sync-scenes: ${e.message}`);
  process.exit(1);
});

