/**
 * The 1 kHz sync beep inside a recording analysed by `mmprep audio` (src/audio/sync-beep.ts): found with the sync
 * capability's tone detector, its frames marked (pitch and voicing null, sync_beep with a reason) and left out of the
 * summary; --keep-sync-beep analyses it as sound (where it comes out voiced at ~500 Hz and as a syllable). Cases: the
 * demo lav track (beep + speech + noise), a reverberant, band-limited AAC camera-like track with a beep at the start
 * and one in the middle of speech, and negative controls (speech without a beep, harmonic tones) that must come back
 * with no beep.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { audioInProcess } from './helpers/audio-lib.js';
import { beepInSpeech, ffmpeg, REVERB, rng, writeWavF32 } from './sync-media.js';
import { computeAudioFeatures } from '../src/audio/features.js';
import { markSyncBeeps, summarizeWithoutSyncBeeps } from '../src/audio/sync-beep.js';
import { audioFrameRecords } from '../src/audio/extract.js';

const tmp = tempDir('mmprep-sync-beep-');
const p = (name: string) => join(tmp.dir, name);
afterAll(() => tmp.cleanup());

interface Rec {
  t_s: number;
  f0_hz: number | null;
  voiced: boolean | null;
  voiced_prob: number | null;
  sync_beep?: boolean;
  pitch_reason?: string | null;
}

/**
 * `mmprep audio` on a file: through the command ('cli': the demo track and the weak beep's warning line), else
 * extractAudio in this process with the lines the command would print (helpers/audio-lib.ts; a process start-up fewer).
 */
async function audio(file: string, name: string, extra: string[] = [], how: 'cli' | 'lib' = 'lib'): Promise<{ recs: Rec[]; sum: Record<string, any>; stderr: string }> {
  const args = [file, '-o', p(`${name}.jsonl`), '--summary', p(`${name}.json`), ...extra];
  const r = how === 'cli' ? await runCli(['audio', ...args]) : { code: 0, ...(await audioInProcess(args)) };
  expect(r.code, r.stderr).toBe(0);
  const recs = readFileSync(p(`${name}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
  return { recs, sum: JSON.parse(readFileSync(p(`${name}.json`), 'utf8')), stderr: r.stderr };
}

const near500 = (r: Rec) => r.voiced === true && r.f0_hz !== null && r.f0_hz > 450 && r.f0_hz < 560;
const within = (t: number, a: number, b: number) => t >= a && t <= b;

/** Checks a marked run against the same file with --keep-sync-beep, for beeps starting at `truth` (seconds). */
function checkMarked(marked: { recs: Rec[]; sum: Record<string, any> }, kept: { recs: Rec[]; sum: Record<string, any> }, truth: number[], durS: number, tolS: number) {
  const { recs, sum } = marked;
  expect(sum.sync_beeps.map((b: { t_s: number }) => b.t_s)).toHaveLength(truth.length);
  sum.sync_beeps.forEach((b: { t_s: number }, j: number) => expect(Math.abs(b.t_s - truth[j])).toBeLessThan(tolS));
  for (const t of truth) {
    const inside = (r: Rec) => within(r.t_s, t + 0.01, t + durS - 0.01);
    // Kept, the beep is voiced near 500 Hz (the defect); marked, every frame of it is null with the reason.
    expect(kept.recs.filter(inside).filter(near500).length).toBeGreaterThan(5);
    for (const r of recs.filter(inside)) {
      expect(r).toMatchObject({ f0_hz: null, voiced: null, voiced_prob: null, sync_beep: true });
      expect(r.pitch_reason).toMatch(/^sync beep \(1000 Hz tone\)/);
    }
    expect(recs.filter((r) => within(r.t_s, t - 0.05, t + durS + 0.05)).filter(near500)).toEqual([]);
    expect(sum.nuclei_times_s.filter((x: number) => within(x, t, t + durS))).toEqual([]);
  }
  expect(recs.every((r) => typeof r.sync_beep === 'boolean')).toBe(true);
  const nBeep = recs.filter((r) => r.sync_beep).length;
  expect(sum.n_sync_beep_frames).toBe(nBeep);
  // Summary: voicing over the other frames, F0 functionals without the beep's voiced frames, rate without its time.
  const voicedOutside = kept.recs.filter((r, i) => r.voiced && !recs[i].sync_beep).length;
  expect(sum.n_voiced_frames).toBe(voicedOutside);
  expect(sum.voiced_ratio).toBeCloseTo(voicedOutside / (recs.length - nBeep), 12);
  expect(sum.functionals.f0_hz.n).toBe(voicedOutside);
  expect(sum.functionals.mfcc_0.n).toBe(recs.length - nBeep);
  expect(sum.functionals.rms_db.n).toBe(recs.length - nBeep);
  expect(sum.f0_mean_hz).toBeLessThan(kept.sum.f0_mean_hz);
  expect(sum.n_syllables).toBe(kept.sum.nuclei_times_s.filter((x: number) => !truth.some((t) => within(x, t - 0.05, t + durS + 0.05))).length);
  expect(sum.speaking_rate_syl_s).toBeCloseTo(sum.n_syllables / (sum.duration_s - nBeep * sum.hop_s), 12);
  expect(sum.notes.join('\n')).toMatch(/sync beep \(1000 Hz\) at .* left out of voiced_ratio/);
  // Kept: the summary is as before (no beep fields), the beep counted as voiced speech.
  expect(kept.sum.sync_beeps).toBeUndefined();
  expect(kept.recs.some((r) => 'sync_beep' in r)).toBe(false);
}

describe('sync beep in mmprep audio', () => {
  let room: Awaited<ReturnType<typeof audio>> | undefined;
  beforeAll(async () => {
    // 7 s of speech with noise 10 dB under it, beeps 200 ms long at 1.0 s and 4.3 s (the second inside speech) 10 dB
    // over the background, then a room (echoes), a camera microphone's band and AAC at 64 kb/s, 48 kHz.
    const sr = 48000;
    const x = await beepInSpeech(sr, 7, 71, [{ t_s: 1.0, dur_s: 0.2 }, { t_s: 4.3, dur_s: 0.2 }], 10);
    writeWavF32(p('room-dry.wav'), x, sr);
    ffmpeg(['-i', p('room-dry.wav'), '-af', `highpass=f=150,lowpass=f=6000,${REVERB}`, '-c:a', 'aac', '-b:a', '64k', p('room.m4a')]);
    const y = await beepInSpeech(sr, 7, 71, [], 10);
    writeWavF32(p('nobeep-dry.wav'), y, sr);
    ffmpeg(['-i', p('nobeep-dry.wav'), '-af', `highpass=f=150,lowpass=f=6000,${REVERB}`, '-c:a', 'aac', '-b:a', '64k', p('nobeep.m4a')]);
  });

  it('demo lav track: the beep at 1.5 s is marked and left out of the summary', async () => {
    const f = join(FIXTURES, 'demo', 's01_lav.flac');
    checkMarked(await audio(f, 'lav', [], 'cli'), await audio(f, 'lav-kept', ['--keep-sync-beep'], 'cli'), [1.5], 0.2, 0.005);
  });

  it('the beep is found in the analysis pass (no second decode) and marks the same frames as the separate scan', async () => {
    const f = join(FIXTURES, 'demo', 's01_lav.flac');
    const inPass = await computeAudioFeatures(f, {}, { threads: false, toneHz: 1000 });
    expect(inPass.toneBursts?.detections.map((d) => d.t_s)).toHaveLength(1);
    const separate = await computeAudioFeatures(f, {}, { threads: false });
    expect(separate.toneBursts).toBeUndefined();
    const a = await markSyncBeeps(f, inPass);
    const b = await markSyncBeeps(f, separate);
    expect(Math.abs(a.beeps[0].t_s - b.beeps[0].t_s)).toBeLessThan(0.002);
    expect(Math.abs(a.beeps[0].n_frames - b.beeps[0].n_frames)).toBeLessThanOrEqual(1);
  });

  it('reverberant band-limited AAC track: a beep at the start and one inside speech', async () => {
    const f = p('room.m4a');
    room = await audio(f, 'room');
    checkMarked(room, await audio(f, 'room-kept', ['--keep-sync-beep']), [1.0, 4.3], 0.2, 0.03);
  });

  it('a file whose first sample is not at 0, under a sync clock: the summary gives each beep on the frames\' two axes', async () => {
    // The room track moved to start 1.5 s late (stream copy); a clock that puts its presentation time 10 s later.
    ffmpeg(['-i', p('room.m4a'), '-c', 'copy', '-output_ts_offset', '1.5', p('room-late.mp4')]);
    const f = await computeAudioFeatures(p('room-late.mp4'), {}, { threads: false, toneHz: 1000 });
    const clock = (t: number) => t + 10;
    const sum = summarizeWithoutSyncBeeps(f, 'room-late.mp4', clock, await markSyncBeeps(p('room-late.mp4'), f));
    const recs = [...audioFrameRecords(f, clock)];
    expect(recs[0].t_src_s).toBeGreaterThan(1.4); // the first frame's presentation time
    expect(sum.sync_beeps).toHaveLength(2);
    sum.sync_beeps.forEach((b, k) => {
      // t_s from the first sample (no sync convention); t_src_s and t_ref_s on the frames' axes.
      expect(b.t_s).toBeCloseTo([1.0, 4.3][k], 1);
      const marked = recs.filter((r) => r.sync_beep && Math.abs(r.t_src_s! - b.t_src_s!) < 0.5);
      expect(marked.length).toBe(b.n_frames);
      expect(b.t_src_s! - marked[0].t_src_s!).toBeGreaterThan(0);
      expect(b.t_src_s! - marked[0].t_src_s!).toBeLessThan(0.05);
      expect(b.t_ref_s! - marked[0].t_s).toBeCloseTo(b.t_src_s! - marked[0].t_src_s!, 9);
      expect(b.t_src_s! - b.t_s).toBeCloseTo(sum.t_start_s - 10, 9);
    });
  });

  it('a steady 500 Hz voice is not taken for the beep (its second partial is a harmonic: tone-harmonic.ts); a weak real beep is a warning', async () => {
    // Three harmonics at 500 Hz for 0.25 s (a child's or a singer's sustained vowel): before 2026-12-02 found as a
    // 1 kHz beep at SNR -4 dB and its frames left out with a warning; now refused as a voice's harmonic, its frames
    // analysed as the voice. A pure tone and the reverberant AAC beeps (SNR 6-17 dB) are beeps with no warning; a
    // beep under louder broadband noise (SNR about -9 dB) is one with the warning.
    const v500 = '0.3*sin(2*PI*500*t)+0.2*sin(4*PI*500*t)+0.1*sin(6*PI*500*t)';
    ffmpeg(['-f', 'lavfi', '-i', `aevalsrc=if(between(t\\,0.8\\,1.05)\\,1\\,0)*(${v500}):s=16000:d=2`, p('v500.wav')]);
    ffmpeg(['-f', 'lavfi', '-i', 'aevalsrc=if(between(t\\,0.8\\,1.05)\\,1\\,0)*0.3*sin(2*PI*1000*t):s=16000:d=2', p('tone.wav')]);
    const voice = await audio(p('v500.wav'), 'v500');
    expect(voice.sum.sync_beeps).toEqual([]);
    expect(voice.stderr).not.toContain('sync beep');
    expect(voice.recs.filter((r) => within(r.t_s, 0.85, 1.0)).filter(near500).length).toBeGreaterThan(5);
    // The reverberant AAC's run is the test above's (the same file and options).
    for (const [f, name] of [[p('tone.wav'), 'tone'], [p('room.m4a'), 'room']]) {
      const r = name === 'room' ? room! : await audio(f, name);
      expect(r.sum.sync_beeps.length, f).toBeGreaterThan(0);
      expect(r.stderr, f).not.toContain('warning');
    }
    const sr = 16000;
    const noisy = new Float32Array(2 * sr);
    const r = rng(11);
    for (let i = 0; i < noisy.length; i++) noisy[i] = 0.1 * r.g() + (i >= 0.8 * sr && i < 1.05 * sr ? 0.05 * Math.sin((2 * Math.PI * 1000 * i) / sr) : 0);
    writeWavF32(p('weak.wav'), noisy, sr);
    const weak = await audio(p('weak.wav'), 'weak', [], 'cli');
    expect(weak.sum.sync_beeps).toHaveLength(1);
    expect(weak.sum.sync_beeps[0].snr_db).toBeLessThan(0);
    expect(weak.stderr).toMatch(/weak\.wav: warning: a 1000 Hz tone weaker than the rest of the sound over it was taken for the sync beep at 0\.\d\d\d-1\.0\d\d s \(SNR -\d+\.\d dB\) and its \d+ frames left out .*rerun with --keep-sync-beep/);
  });

  it('negative controls: speech without a beep and harmonic tones come back with no beep and unchanged records', async () => {
    for (const f of [p('nobeep.m4a'), join(FIXTURES, 'audio', 'wav', 'cards_001.flac'), join(FIXTURES, 'audio', 'wav', 'harm_330hz.flac')]) {
      const { recs, sum } = await audio(f, 'neg');
      expect({ beeps: sum.sync_beeps, tone: sum.sync_beep_tone_hz, n: sum.n_sync_beep_frames }, f).toEqual({ beeps: [], tone: 1000, n: 0 });
      expect(recs.some((r) => 'sync_beep' in r)).toBe(false);
      if (f !== p('nobeep.m4a')) continue;
      const kept = await audio(f, 'neg-kept', ['--keep-sync-beep']);
      const { sync_beeps: _b, sync_beep_tone_hz: _t, n_sync_beep_frames: _n, ...rest } = sum;
      expect(rest).toEqual(kept.sum);
    }
  });
});
