/**
 * Issue 11: microphones in reverberant rooms (scripts/make-sync-rooms.mjs, --set small), the placement policy (a
 * stream is placed only from a pulse that stands out; otherwise by another route or refused, exit 2), short sessions,
 * the MP3 timeline convention, drift uncertainty, and `mmprep extract` over such sessions.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmbiguousPulseError, chooseWindow, choosePulses } from '../src/sync/choose.js';
import type { Candidate, StreamState } from '../src/sync/streams.js';
import { syncSession } from '../src/sync/session.js';
import { scanAudioTone } from '../src/sync/tone/scan-audio.js';
import { probe } from '../src/media/probe.js';
import { runCli, tempDir, type CliResult, runCliInProcess } from './helpers/cli.js';
import { renderCached } from './helpers/scenes.js';
import { beepInSpeech, ffmpeg, writeWavF32 } from './sync-media.js';

const tmp = tempDir('mmprep-sync-rooms-');
const D = tmp.dir;
afterAll(() => tmp.cleanup());
const CASES = ['rt5-drr0-snr10-aac-both-20s', 'rt8-drr-9-snr10-opus-start-14s', 'rt5-drr0-snr-6-wav-both-24s', 'negative-none'];
const rooms = join(D, 'rooms');

interface TruthStream {
  file: string;
  offset_s: number;
  drift_ppm: number;
  drr_db: number;
  snr_db: number;
  pulses_src_s: number[];
}

// Generated once here with a limit of its own (minutes of wall time on a loaded machine: 120 s was not enough there).
beforeAll(() => {
  renderCached('make-sync-rooms.mjs', rooms, ['--set', 'small', '--only', CASES.join(',')]);
}, 1_800_000);

/** `mmprep sync` on a case; `loud`: without --quiet (its warnings on stderr). */
async function runCase(id: string, loud = false, extra: string[] = []) {
  const dir = join(rooms, id);
  const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
  const out = join(dir, 'sync.json');
  const r = await runCliInProcess(['sync', ...truth.files, ...truth.args, ...extra, '-o', out, ...(loud ? [] : ['--quiet'])], { cwd: dir });
  const map = r.code === 0 ? JSON.parse(readFileSync(out, 'utf8')) : null;
  const mic = truth.streams[1] as TruthStream;
  const e = map?.streams.find((s: { file: string }) => s.file === mic.file);
  return { r, map, e, err: e ? clockError(e, mic) : null, truth };
}

/** A placed stream's clock error at its true pulse times, seconds. */
function clockError(e: { offset_s: number; drift_ppm: number | null }, mic: TruthStream): number {
  return Math.max(...mic.pulses_src_s.map((t) => Math.abs(e.offset_s + (e.drift_ppm ?? 0) * 1e-6 * t - (mic.offset_s + mic.drift_ppm * 1e-6 * t))));
}

const OK = 'rt5-drr0-snr10-aac-both-20s';
let extracted: Promise<{ r: CliResult; out: string }> | null = null;
/**
 * `mmprep extract --only sync --ends both` over two room sessions, run once for the first test and the extract test:
 * s1 is case OK's lav and room microphone with its own options (truth.args: --ends both), so its sync.json is the one
 * `mmprep sync` writes for the case (the same streams but for the files' relative paths: checked 2026-12-04), which
 * each ran once more before; s2 a reference with a beep and an unrelated microphone without one (nothing to align it by).
 */
function extractRooms(): Promise<{ r: CliResult; out: string }> {
  extracted ??= (async () => {
    const ok = join(rooms, OK);
    const neg = join(rooms, 'negative-none');
    const manifest = join(D, 'manifest.csv');
    writeFileSync(manifest, `session_id,speaker_id,lav_audio,room_audio\ns1,spk1,${join(ok, 'lav.wav')},${join(ok, 'mic.m4a')}\ns2,spk2,${join(ok, 'lav.wav')},${join(neg, 'mic.m4a')}\n`);
    const out = join(D, 'extract-out');
    return { r: await runCli(['extract', manifest, '-o', out, '--only', 'sync', '--ends', 'both', '--progress', 'none']), out };
  })();
  return extracted;
}

describe('sync in reverberant rooms (make-sync-rooms --set small)', () => {
  it('DRR 0 dB, band SNR 10 dB, AAC, pulses at both ends: placed by its beeps within 1 ms, with its uncertainty', async () => {
    const truth = JSON.parse(readFileSync(join(rooms, OK, 'truth.json'), 'utf8'));
    expect(truth.args).toEqual(['--ends', 'both']);
    const { r, out } = await extractRooms();
    expect(existsSync(join(out, 's1', 'sync.json')), r.stderr).toBe(true);
    // The room microphone's entry by its file's name (extract writes paths relative to its output folder).
    const mic = truth.streams[1] as TruthStream;
    const e = JSON.parse(readFileSync(join(out, 's1', 'sync.json'), 'utf8')).streams.find((s: { file: string }) => basename(s.file) === mic.file);
    const err = clockError(e, mic);
    expect(e.method).toBe('tone');
    expect(err).toBeLessThan(0.001);
    expect(e.confidence).toBeLessThan(1);
    expect(e.offset_sd_s).toBeGreaterThan(0);
    // The end beep (band SNR 10 dB at the start; the talker is louder at the end) may not be found: then no drift.
    if (e.drift_ppm !== null) expect(e.drift_sd_ppm).toBeGreaterThan(0);
    else expect(e.warnings.map((w: { code: string }) => w.code)).toContain('no_end_pulse');
    // A placeable onset carries its uncertainty; one read on sound before the beep (found only by its coherence, or no
    // clean step: the npm 2018 build's AAC end beep here, found only by its coherence) has none and says why it is not
    // placeable; the drift then comes from the other end's window.
    for (const d of e.detections) {
      if (d.placeable) expect(typeof d.onset_sd_s).toBe('number');
      else expect(typeof d.unplaceable_reason).toBe('string');
    }
    expect(e.detections.some((d: { placeable: boolean }) => d.placeable)).toBe(true);
  });

  it('DRR -9 dB (RT60 0.8 s), Opus, an interviewer near the room microphone: its beep is found but not placeable, so it is placed by cross-correlation within 1 ms, and sync.json and stderr say which route and why the beep was not used', async () => {
    // One run without --quiet: sync.json and the stderr line the user sees (a second run for stderr before 2026-12-02).
    const { r, e, err, truth } = await runCase('rt8-drr-9-snr10-opus-start-14s', true, ['--fallback', 'xcorr']);
    expect(r.code, r.stderr).toBe(0);
    expect(e, 'placed').toBeTruthy();
    // Its beep (read 10.6 ms late, sd 2.2 ms) is not placeable today; should an onset estimator make it placeable and
    // right, the tone route is fine too. test/sync-xcorr-room.test.ts holds the unplaceable case without the detector.
    if (e.method === 'tone') {
      expect(err).toBeLessThan(0.001);
      return;
    }
    expect(e.method).toBe('xcorr');
    expect(err).toBeLessThan(0.001);
    expect(e.xcorr.fine_z).toBeGreaterThanOrEqual(7);
    // The window's own drift (fitted with the lag) is reported; the generator's truth is 20-100 ppm.
    expect(Math.abs(e.drift_ppm - truth.streams[1].drift_ppm)).toBeLessThan(5);
    const found = e.detections.filter((d: { placeable?: boolean }) => d.placeable === false);
    expect(found.length).toBeGreaterThan(0);
    const route = e.warnings.find((w: { code: string }) => w.code === 'other_route');
    expect(route?.message).toMatch(/placed by cross-correlating its audio with lav\.wav .*no usable beep of its own \(start-window candidate at [\d.]+ s not used: /);
    expect(route?.message).toContain(found[0].unplaceable_reason);
    // The user hears it without opening sync.json: one stderr line naming the route and the reason.
    expect(r.stderr).toMatch(/warning: mic\.ogg audio stream 0: other_route: placed by cross-correlating .*not used: onset uncertain/);
  });

  it('band SNR -6 dB: the beep is not placeable (reason given); the stream is placed by cross-correlation and the output says which', async () => {
    const { r, e, err } = await runCase('rt5-drr0-snr-6-wav-both-24s', false, ['--fallback', 'xcorr']);
    expect(r.code, r.stderr).toBe(0);
    expect(e.method).toBe('xcorr');
    expect(err).toBeLessThan(0.005);
    for (const d of e.detections) if (d.placeable === false) expect(d.unplaceable_reason).toMatch(/band SNR|onset uncertain/);
    expect(e.warnings.map((w: { message: string }) => w.message).join(' | ')).toMatch(/placed by cross-correlating/);
  });

  it("each true beep's own band SNR in the truth (pulses_band_snr_db, the bench's per-beep SNR) agrees with the file: the WAV case's beeps measure -14.4 and -6.2 dB where the session's setting is -6 dB", () => {
    const id = 'rt5-drr0-snr-6-wav-both-24s';
    const mic = JSON.parse(readFileSync(join(rooms, id, 'truth.json'), 'utf8')).streams[1] as TruthStream & { pulses_band_snr_db: number[] };
    const { x, sr } = readWav16(join(rooms, id, mic.file));
    // The generator's definition from the file alone: the interference's mean is the mix's (the two beeps add 0.3 %
    // at -6 dB), the beep's band power the setting's share of it; the interference over each beep is the mix there
    // less the beep (their cross term averages over the 25 windows: 0.4 and 0.5 dB, measured).
    const mean = bandPower1k(x, sr, 0, x.length);
    const beep = mean * 10 ** (mic.snr_db / 10);
    mic.pulses_src_s.forEach((t, i) => {
      const a = Math.ceil(t * sr);
      const mix = bandPower1k(x, sr, a, a + Math.round(0.25 * sr));
      expect(Math.abs(mic.pulses_band_snr_db[i] - 10 * Math.log10(beep / (mix - beep))), `beep ${i}`).toBeLessThan(1.5);
    });
    // The two beeps differ from the setting and from each other by more than the tolerance: the field is per beep.
    expect(Math.abs(mic.pulses_band_snr_db[0] - mic.snr_db)).toBeGreaterThan(3);
  });

  it('negative control without any beep (a 1003 Hz whistle, --fallback none): exit 2 (not found), not 3, nothing written', async () => {
    const { r } = await runCase('negative-none');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no usable sync pulse/);
    expect(existsSync(join(rooms, 'negative-none', 'sync.json'))).toBe(false);
  });
});

const cand = (t: number, strength: number, extra: Partial<Candidate> = {}): Candidate => ({ window: 'start', t_s: t, strength, band_snr_db: 10, ...extra });

describe('placement policy (choose.ts)', () => {
  const clear = (a: number, b: number) => a - b >= 6;
  it('an unplaceable candidate is never chosen by default; --pick forces it and says so', () => {
    const c = chooseWindow([cand(1, -10, { placeable: false, unplaceable_reason: 'band SNR -4.0 dB is below 0 dB' })], null, clear);
    expect(c.chosen).toBeNull();
    expect(c.refused).toHaveLength(1);
    const f = chooseWindow([cand(1, -10, { placeable: false })], 'first', clear);
    expect(f.chosen?.t_s).toBe(1);
    expect(f.forced).toBe(true);
  });

  it("--pick never forces a voice's harmonic (tone-harmonic.ts): it is no pulse; the next candidate is picked instead", () => {
    const voice = cand(1, -6, { placeable: false, harmonic_of_hz: 500, unplaceable_reason: 'a harmonic of a voice at 500.0 Hz, not a beep' });
    for (const pick of ['first', 'strongest'] as const) {
      const c = chooseWindow([voice], pick, clear);
      expect(c.chosen).toBeNull();
      expect(c.refused).toEqual([voice]);
      expect(chooseWindow([voice, cand(2, -10, { placeable: false })], pick, clear).chosen?.t_s).toBe(2);
    }
  });

  it('an unplaceable loud candidate does not make a placeable one ambiguous; two placeable ones of similar strength do', () => {
    const c = chooseWindow([cand(1, -10, { placeable: false }), cand(3, -12)], null, clear);
    expect(c.chosen?.t_s).toBe(3);
    const a = chooseWindow([cand(1, -10), cand(3, -12)], null, clear);
    expect(a.chosen).toBeNull();
    expect(a.ambiguous?.map((x) => x.t_s)).toEqual([1, 3]);
  });

  it('the ambiguity message names the strongest three and the count, not all of them', () => {
    const many = [1, 2, 3, 4, 5, 6].map((t) => cand(t, -10 - t * 0.1));
    const msg = new AmbiguousPulseError('a.wav', 'audio', 0, many, 0).message;
    expect(msg).toMatch(/6 tone bursts of similar strength; the strongest 3: 1\.000 s .*, 2\.000 s .*, 3\.000 s /);
    expect(msg).not.toMatch(/4\.000 s/);
  });

  it('flashes at both ends in different regions: the end pulse is dropped with a warning', () => {
    const region = (x: number) => ({ x_px: x, y_px: 0, w_px: 16, h_px: 16 });
    const st = {
      kind: 'video',
      detections: [
        { window: 'start', t_s: 2, score: 40, confidence: 0.99, region: region(0) },
        { window: 'end', t_s: 50, score: 40, confidence: 0.99, region: region(200) },
      ],
      chosen: { start: null, end: null },
      warnings: [],
      forcedPick: null,
    } as unknown as StreamState;
    choosePulses(st, null);
    expect(st.chosen.start?.t_s).toBe(2);
    expect(st.chosen.end).toBeNull();
    expect(st.warnings.map((w) => w.code)).toContain('region_mismatch');
  });
});

describe('beep onsets in a room: never placeable and wrong (issue 11 item 4)', () => {
  const roomsFull = join(D, 'rooms-full');
  // Both cases in one run of the generator, before the tests and their 60 s limits.
  beforeAll(() => {
    renderCached('make-sync-rooms.mjs', roomsFull, ['--set', 'full', '--only', 'rt8-drr-9-snr10-opus-both,rt3-drr-9-snr10-wav-both']);
  }, 1_800_000);
  /** Every true beep of the case's room microphone found within 50 ms: placeable only within 5 ms, else a reason. */
  async function judge(id: string): Promise<string[]> {
    const truth = JSON.parse(readFileSync(join(roomsFull, id, 'truth.json'), 'utf8'));
    const mic = truth.streams[1] as TruthStream;
    const file = join(roomsFull, id, mic.file);
    const scan = await scanAudioTone(file, [{ name: 'all', start_s: 0, duration_s: null }], { probed: await probe(file) });
    const dets = scan.windows[0].detections;
    const reasons: string[] = [];
    for (const t of mic.pulses_src_s) {
      const d = dets.find((x) => Math.abs(x.t_s - t) < 0.05);
      if (!d) continue;
      if (d.placeable !== false) expect(Math.abs(d.t_s - t)).toBeLessThan(0.005);
      else expect(d.unplaceable_reason).toMatch(/before the onset|onset uncertain|band SNR|below the beep's plateau/);
      reasons.push(d.placeable === false ? String(d.unplaceable_reason) : 'placeable');
    }
    expect(reasons.length).toBeGreaterThan(0);
    return reasons;
  }

  it('RT60 0.8 s, DRR -9 dB, Opus: the end beep, whose direct sound an echo cancels 3-6 ms in (read 10 ms late, sd 0.8 ms), is not placeable: tone before the onset', async () => {
    await judge('rt8-drr-9-snr10-opus-both');
  }, 60_000);

  it('RT60 0.3 s, DRR -9 dB, WAV: the end beep read 7.8 ms late on the echo\'s build-up (sd 1.4 ms, nothing before it above the noise) is not placeable: its tone starts 9 dB below the plateau', async () => {
    const reasons = await judge('rt3-drr-9-snr10-wav-both');
    expect(reasons.some((r) => /below the beep's plateau \(room echo stronger than the direct sound\)/.test(r))).toBe(true);
  }, 60_000);
});

describe('short sessions, MP3 timeline, drift uncertainty', () => {
  it('a 24 s session with beeps at 2 s and 22 s syncs with the defaults and --ends both; drift comes with its uncertainty', async () => {
    const sr = 16000;
    const a = join(D, 'short-a.wav');
    const b = join(D, 'short-b.wav');
    const x = await beepInSpeech(sr, 24, 71, [{ t_s: 2, dur_s: 0.25 }, { t_s: 22, dur_s: 0.25 }], 10);
    writeWavF32(a, x, sr);
    writeWavF32(b, x.slice(Math.round(0.6 * sr)), sr); // b starts 0.6 s later
    const map = await syncSession([{ file: a }, { file: b }], { ends: 'both' });
    const e = map.streams[1];
    expect(e.method).toBe('tone');
    expect(Math.abs((e.offset_s as number) - 0.6)).toBeLessThan(0.001);
    // Onsets uncertain by ~0.1 ms over a ~20 s span: the drift is only known to some ppm, and says so.
    expect(e.drift_sd_ppm).toBeGreaterThan(0.5);
    expect(Math.abs(e.drift_ppm as number)).toBeLessThan(4 * (e.drift_sd_ppm as number) + 5);
  });

  it('an MP3 reference: times agree with a count of decoded samples from the file start (ffprobe start_time is its encoder delay)', async () => {
    const sr = 48000;
    const wav = join(D, 'ref.wav');
    const x = await beepInSpeech(sr, 10, 72, [{ t_s: 3, dur_s: 0.25 }], 10);
    writeWavF32(wav, x, sr);
    const mp3 = join(D, 'ref.mp3');
    ffmpeg(['-i', wav, '-c:a', 'libmp3lame', '-b:a', '128k', mp3]);
    const copy = join(D, 'copy.wav');
    copyFileSync(wav, copy);
    const map = await syncSession([{ file: mp3 }, { file: copy }], {});
    const ref = map.streams[0];
    const other = map.streams[1];
    // The decoded MP3 has the beep at sample 3.000 s, as the WAV: on the reference clock (decoded samples of the
    // reference) the WAV's offset is 0, not the 23-25 ms of the MP3's start_time.
    expect(Math.abs(other.offset_s as number)).toBeLessThan(0.0005);
    expect(ref.first_sample_s as number).toBeGreaterThanOrEqual(0);
    expect(Math.abs((ref.offset_s as number) + (ref.first_sample_s as number))).toBeLessThan(1e-6);
    expect((ref.pulses as { start_s: number }).start_s - (ref.first_sample_s as number)).toBeCloseTo(3, 3);
  });
});

describe('mmprep extract over room sessions (issue 11 item 7)', () => {
  it('completes a session without --pick; a session whose stream cannot be placed fails with the reason in _errors.jsonl', async () => {
    // s1 completes, s2 (an unrelated microphone without a beep) cannot be placed: extractRooms.
    const { r, out } = await extractRooms();
    expect(r.code, r.stderr).toBe(4);
    const map = JSON.parse(readFileSync(join(out, 's1', 'sync.json'), 'utf8'));
    expect(map.streams[1].method).toBe('tone');
    const errors = readFileSync(join(out, '_errors.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ session_id: 's2', stage: 'sync' });
    expect(String(errors[0].reason)).toMatch(/audio stream 0 cannot be put on the reference clock: no 1000 Hz tone burst/);
  });
});

/** A 16-bit PCM mono WAV's samples (the generators' mic.wav) and rate. */
function readWav16(file: string): { x: Float32Array; sr: number } {
  const b = readFileSync(file);
  const sr = b.readUInt32LE(24);
  let p = 12;
  while (b.toString('ascii', p, p + 4) !== 'data') p += 8 + b.readUInt32LE(p + 4);
  const n = b.readUInt32LE(p + 4) / 2;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = b.readInt16LE(p + 8 + 2 * i) / 32768;
  return { x, sr };
}

/** Mean in-band power at 1 kHz of x[a, b) in 10 ms boxcar windows (make-sync-rooms.mjs bandPower). */
function bandPower1k(x: Float32Array, sr: number, a: number, b: number): number {
  const N = Math.round(0.01 * sr);
  let s = 0;
  let n = 0;
  for (let w = a; w + N <= Math.min(b, x.length); w += N, n++) {
    let re = 0;
    let im = 0;
    for (let i = w; i < w + N; i++) {
      re += x[i] * Math.cos((2 * Math.PI * 1000 * i) / sr);
      im -= x[i] * Math.sin((2 * Math.PI * 1000 * i) / sr);
    }
    s += (2 * (re * re + im * im)) / (N * N);
  }
  return s / Math.max(1, n);
}
