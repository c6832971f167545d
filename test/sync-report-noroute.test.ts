import { describe, expect, it } from 'vitest';
import { refuseUnplaced } from '../src/sync/report.js';
import type { Candidate, StreamState } from '../src/sync/streams.js';

// Scene variant 17's life-led36red-x163y5-2997-crf26-none: the reference lavalier's beep was refused for its onset
// (tone over the noise just before it), the camera's own beep too (echo stronger than the direct sound); the camera's
// sound was placed by cross-correlation, its flash was found and usable, but nothing it could be placed against had
// a usable pulse. The refusal said "choose another --ref", and --ref cam.mp4 (whose first audio stream is the camera's
// refused beep) was refused the same way. Issue 11 item 4: the output says which route placed a stream, or that
// none could. Built from stream states directly (report.ts refuseUnplaced), no media.

const ctx = { toneHz: 1000, searchS: 60, ends: 'start' as const, fallback: 'xcorr' as const };
const pulse = (t: number) => ({ t_s: t, confidence: 0.99 }) as unknown as Candidate;

function stream(file: string, kind: 'audio' | 'video', o: Partial<StreamState> = {}): StreamState {
  return { file, abs: `/s/${file}`, kind, stream: 0, frameS: null, firstSampleS: 0, lengthS: null, detections: [], chosen: { start: null, end: null }, forcedPick: null, warnings: [], kept: null, keptT0: 0, keptEnd: null, keptEndT0: 0, sampleRate: 16000, placed: null, ...o };
}

function session(withMic2: boolean): { states: StreamState[]; ref: StreamState } {
  const ref = stream('lav.wav', 'audio', { warnings: [{ code: 'unplaceable_pulse', message: 'start-window candidate at 4.736 s not used: tone 2.6 dB over the noise 6.5 ms before the onset' }] });
  ref.placed = { offset: 0, k: 0, kSd: 0, offsetSd: 0, method: 'reference', confidence: 1, from: null };
  const camSound = stream('cam.mp4', 'audio', { warnings: [{ code: 'unplaceable_pulse', message: 'start-window candidate at 2.909 s not used: the tone after the onset is 6.4 dB below the plateau' }] });
  camSound.placed = { offset: 1.827, k: null, kSd: null, offsetSd: null, method: 'xcorr', confidence: 0.999, from: ref };
  const picture = stream('cam.mp4', 'video', { chosen: { start: pulse(2.909), end: null } });
  // A microphone with a usable beep of its own, left unplaced for want of a placed partner: --ref mic2.wav would work.
  const mic2 = stream('mic2.wav', 'audio', { chosen: { start: pulse(3.1), end: null } });
  return { states: withMic2 ? [ref, camSound, picture, mic2] : [ref, camSound, picture], ref };
}

const refusal = (withMic2: boolean): string => {
  const { states, ref } = session(withMic2);
  try {
    refuseUnplaced(states, ref, [], ctx);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('not refused');
};

describe('a reference without a usable pulse: the refusal says whether another --ref would help (report.ts)', () => {
  it('no file has a usable pulse for a reference: says so, with each refused pulse and what placed the camera sound', () => {
    const m = refusal(false);
    expect(m).toMatch(/cam\.mp4 video stream 0 cannot be put on its clock: its own pulse at 2\.909 s is usable, but no stream it could be placed against has one/);
    expect(m).toMatch(/cam\.mp4 audio stream 0 has start-window candidate at 2\.909 s not used: the tone after the onset/);
    expect(m).toMatch(/the same file's audio stream 0 is placed, but a camera's picture is not placed by its sound/);
    expect(m).toMatch(/another --ref would not place it$/);
    expect(m).not.toMatch(/choose another --ref/);
  });

  it('another file whose first audio stream has a usable pulse: names it as the --ref to choose', () => {
    expect(refusal(true)).toMatch(/cannot be put on its clock \(nor 1 more stream\(s\)\); choose another --ref \(mic2\.wav: its audio stream 0 has a usable pulse\)$/);
  });
});
