/**
 * A new user's trial: a Whisper transcript whose last segment ends 0.59 s after a 10.01 s recording (beyond the
 * 0.5 s allowance) was refused with 'segment 2 6.576-10.6 s is outside the recording (0-10.01 s)', which read as a
 * wrong clock for a segment almost wholly inside. The line now says how far past which end and what is allowed; a
 * segment wholly or mostly outside keeps the old wording.
 */
import { describe, expect, it } from 'vitest';
import { checkInsideRecording, fittingRole } from '../src/dataset/transcripts/check.js';
import { applyClock } from '../src/dataset/transcripts/index.js';
import type { Utterance } from '../src/dataset/transcripts/types.js';

const REC = { start_s: 0, end_s: 10.01, frame_s: 0.04 };
const utt = (start_s: number, end_s: number, segment: number): Utterance => ({ start_s, end_s, text: 'x', speaker: null, words: [], word_timing: 'source', segment });
const message = (u: Utterance) => {
  try {
    checkInsideRecording([u], REC, 't.json');
  } catch (e) {
    return (e as Error).message;
  }
  return null;
};

describe('a transcript segment past the recording', () => {
  it('a segment mostly inside that runs past the end: how far, and the allowance', () => {
    expect(message(utt(6.576, 10.6, 2))).toBe("segment 2 6.576-10.6 s runs 0.59 s past the end of the recording (0-10.01 s; up to 0.5 s is allowed): check the transcript's clock/units");
  });
  it('before the start', () => {
    expect(message(utt(-0.7, 3, 0))).toBe("segment 0 -0.7 to 3 s runs 0.7 s before the start of the recording (0-10.01 s; up to 0.5 s is allowed): check the transcript's clock/units");
  });
  it('wholly outside: the old wording; within the allowance: accepted', () => {
    expect(message(utt(32.69, 33.42, 0))).toBe("segment 0 32.69-33.42 s is outside the recording (0-10.01 s): check the transcript's clock/units");
    expect(message(utt(6.576, 10.4, 2))).toBeNull();
  });
});

describe('a word past the recording in a segment that is inside it (ttrial47 C5)', () => {
  it('names the word and the segment\'s own span', () => {
    const u = { ...utt(6.576, 9.8, 2), words: [{ word: ' seven', start_s: 6.576, end_s: 7.1 }, { word: ' clubs', start_s: 9.1, end_s: 11.2 }] };
    expect(message(u)).toBe('segment 2 6.576-11.2 s (its word "clubs" 9.1-11.2 s; the segment itself 6.576-9.8 s) runs 1.19 s past the end of the recording (0-10.01 s; up to 0.5 s is allowed): check the transcript\'s clock/units');
  });
  it('a segment itself outside: no word named', () => {
    const u = { ...utt(6.576, 10.6, 2), words: [{ word: ' clubs', start_s: 9.1, end_s: 10.6 }] };
    expect(message(u)).toMatch(/^segment 2 6\.576-10\.6 s runs/);
  });
});

describe('a transcript timed in milliseconds', () => {
  it('says so when every time divided by 1000 fits the recording (a new user\'s trial: "check the clock/units" only)', () => {
    const utts = [utt(2480, 3390, 0), utt(4414, 7354, 1)];
    expect(() => checkInsideRecording(utts, REC, 't.json')).toThrow(
      'segment 0 2480-3390 s is outside the recording (0-10.01 s): its times look like milliseconds (divided by 1000 they fit the recording): write them in seconds',
    );
  });
  it('not when the times are only on another clock, or would not fit in seconds either', () => {
    expect(message(utt(32.69, 33.42, 0))).toMatch(/check the transcript's clock\/units$/);
    expect(() => checkInsideRecording([utt(2480, 3390, 0), utt(14000, 15000, 1)], REC, 't.json')).toThrow(/check the transcript's clock\/units$/);
  });
});

describe('a transcript on a timecode that starts at 01:00:00', () => {
  it('names the hour offset, not milliseconds (a new user\'s SRT cut on an editor\'s timecode, 2026-12-06)', () => {
    const utts = [utt(3602.69, 3603.42, 0), utt(3604.185, 3605.715, 1)];
    expect(() => checkInsideRecording(utts, REC, 't.srt')).toThrow(
      "segment 0 3602.69-3603.42 s is outside the recording (0-10.01 s): its times start at 1 h or later and, less 1 h (3600 s), fit the recording: a timecode that starts at 01:00:00 (an editor's or camera's hour offset)? subtract 3600 s from every time",
    );
  });
  it('a transcript that, less the hours, still does not fit keeps the other advice', () => {
    expect(message(utt(3632.69, 3633.42, 0))).toBe('segment 0 3632.69-3633.42 s is outside the recording (0-10.01 s): its times look like milliseconds (divided by 1000 they fit the recording): write them in seconds');
    expect(message(utt(632.69, 633.42, 0))).toBe("segment 0 632.69-633.42 s is outside the recording (0-10.01 s): check the transcript's clock/units");
  });
});

describe('a transcript on another role\'s clock (transcript_clock)', () => {
  it('names the times the file writes beside the reference-clock ones (ttrial56: the reference times alone were not in the file)', () => {
    const [u] = applyClock([utt(57.131, 58.685, 11)], (t) => t + 2.287);
    expect(() => checkInsideRecording([u], REC, 't.json', 'room_audio')).toThrow(
      "segment 11 59.418-60.972 s on the reference clock (57.131-58.685 s in the transcript, on room_audio's clock) is outside the recording (0-10.01 s): check the transcript's clock/units",
    );
    // on the reference clock already: as before
    expect(message(utt(32.69, 33.42, 0))).not.toContain('in the transcript');
  });
});

describe('a transcript timed on another role of the session (tuser62)', () => {
  // the camera started 4.26 s before the lav; the transcript was timed on the camera, transcript_clock left empty
  const rec = { start_s: -4.243, end_s: 10.01, frame_s: 0.2 };
  const utts = [utt(6.9, 8.43, 0), utt(9.36, 10.09, 1), utt(10.996, 11.906, 2)];
  const roles = [{ role: 'lav_audio', clock: (t: number) => t }, { role: 'room_audio', clock: (t: number) => t + 3 }, { role: 'video', clock: (t: number) => t - 4.26 }];
  it('names the role on whose clock every utterance fits, and the fix', () => {
    expect(fittingRole(utts, rec, roles, 'lav_audio')).toBe('video');
    expect(() => checkInsideRecording(utts, rec, 't.vtt', undefined, 'video')).toThrow("segment 2 10.996-11.906 s is outside the recording (-4.243 to 10.01 s): its times fit video's clock (sync.json): set the manifest's transcript_clock to video");
  });
  it('none when no other clock fits (or only the one it was read on)', () => {
    expect(fittingRole(utts, rec, roles.slice(0, 2), 'lav_audio')).toBeNull();
    expect(fittingRole([utt(40, 41, 0)], rec, roles, 'lav_audio')).toBeNull();
  });
});
