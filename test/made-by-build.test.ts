/**
 * A release whose sessions' features were made by different mmprep code of the same version (0.1.0 across commits):
 * an `extract --only face` after an update keeps the audio files of the older code, and `dataset build` named a mix of
 * options or versions only, so such a mix passed as one way. meta.json's made_by now records each stage's code
 * fingerprint and the build names the mix.
 */
import { describe, expect, it } from 'vitest';
import { mixedMadeByNotes } from '../src/dataset/made-by-mix.js';
import type { DatasetSessionOutcome } from '../src/dataset/build-session.js';

const session = (id: string, build: string | null) =>
  ({ session_id: id, error: null, made_by: { audio: { options: {}, clock: 'c', version: '0.1.0', ...(build === null ? {} : { build }) } } }) as unknown as DatasetSessionOutcome;

describe('dataset build: features made by other code of the same version', () => {
  it('are named as a mix, each way with its sessions', () => {
    const notes = mixedMadeByNotes([session('s01', 'aaaa'), session('s02', 'bbbb'), session('s03', null)]);
    expect(notes).toEqual([
      'audio features of this release were extracted in 3 different ways: default options, mmprep 0.1.0 code aaaa (s01); default options, mmprep 0.1.0 code bbbb (s02); default options, mmprep 0.1.0 (s03); the records do not say which, so extract every session with one mmprep (its code fingerprint, `build`, in each session\'s meta.json made_by)',
    ]);
  });

  it('one fingerprint is one way: no note', () => {
    expect(mixedMadeByNotes([session('s01', 'aaaa'), session('s02', 'aaaa')])).toEqual([]);
  });

  it('features decoded by another ffmpeg build (a shard on another machine) are a way of their own', () => {
    const withFfmpeg = (id: string, ffmpeg: string) => ({ session_id: id, error: null, made_by: { audio: { options: {}, clock: 'c', version: '0.1.0', build: 'aaaa', ffmpeg } } }) as unknown as DatasetSessionOutcome;
    const [note] = mixedMadeByNotes([withFfmpeg('s01', '1111'), withFfmpeg('s02', '2222'), withFfmpeg('s03', '1111')]);
    expect(note).toContain('audio features of this release were extracted in 2 different ways: default options, mmprep 0.1.0 code aaaa ffmpeg 1111 (s01, s03); default options, mmprep 0.1.0 code aaaa ffmpeg 2222 (s02);');
    // What differs is the ffmpeg build, not the options (ttrial43: told to use "one set of flags").
    expect(note).toMatch(/the records do not say which, so extract every session with one ffmpeg build \(the fingerprint of the ffmpeg and ffprobe extract ran: .*mmprep doctor/);
    expect(note).not.toContain('flags');
  });

  it("a session's own sync_options (its manifest row's choice) are no mix; options beyond them still are", () => {
    // ttrial50 R4: a row's --ends both, as README advises, made the release "synced in 2 different ways".
    const synced = (id: string, options: object, row_options?: object) => ({ session_id: id, error: null, made_by: { sync: { options, clock: null, version: '0.1.0', build: 'aaaa', ...(row_options ? { row_options } : {}) } } }) as unknown as DatasetSessionOutcome;
    expect(mixedMadeByNotes([synced('A', {}), synced('B', { ends: 'both' }, { ends: 'both' }), synced('C', { searchS: 30, pick: 'first' }, { searchS: 30, pick: 'first' })])).toEqual([]);
    const [note] = mixedMadeByNotes([synced('A', {}), synced('B', { ends: 'both', searchS: 20 }, { ends: 'both' })]);
    expect(note).toContain('the sessions of this release were synced in 2 different ways: default options, mmprep 0.1.0 code aaaa (A); {"searchS":20}, mmprep 0.1.0 code aaaa (B);');
    // the same options from the command line (no row_options) are a mix as before
    expect(mixedMadeByNotes([synced('A', {}), synced('B', { ends: 'both' })])).toHaveLength(1);
  });
});
