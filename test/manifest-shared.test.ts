/**
 * A new user's trial: a manifest row copied under another session id (the same camera and lav files, another
 * speaker) was extracted twice and `dataset build` put one copy in train and one in val, exit 0 at every step,
 * `dataset validate` "ok splits". Speaker ids 'spk_a' and 'SPK-A' likewise went to train and test unremarked.
 * The manifest reader now says so (a note extract and dataset build print as a warning line).
 */
import { copyFileSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError, readManifest } from '../src/batch/manifest.js';
import { FIXTURES, tempDir } from './helpers/cli.js';

let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-manifest-shared-'));
  mkdirSync(join(dir, 'media'));
  for (const f of ['a.wav', 'a.mp4', 'b.wav', 'b.mp4', 'c.wav', 'room.mp4']) writeFileSync(join(dir, 'media', f), 'x');
  for (const f of ['a.json', 'b.json']) copyFileSync(join(FIXTURES, 'demo', 's01_transcript.json'), join(dir, 'media', f));
});
afterAll(() => cleanup());

async function notesOf(name: string, text: string): Promise<string[]> {
  const p = join(dir, name);
  writeFileSync(p, text);
  return (await readManifest(p)).notes;
}

const HEAD = 'session_id,speaker_id,video,lav_audio\n';

describe('readManifest: recordings or speakers that would cross dataset splits', () => {
  it('a row copied under another session id is a warning naming both lines', async () => {
    const notes = await notesOf('copied.csv', HEAD + 's01,spk_a,media/a.mp4,media/a.wav\ns02,spk_b,media/b.mp4,media/b.wav\ns09,spk_q,media/a.mp4,media/a.wav\n');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/copied\.csv:4: session 's09' has the same media files as session 's01' \(line 2\): a copied row\?/);
  });

  it('a file shared by two speakers (one room camera) is a warning naming the file and sessions', async () => {
    const notes = await notesOf('dyad.csv', HEAD + 'd1,spk_a,media/room.mp4,media/a.wav\nd2,spk_b,media/room.mp4,media/b.wav\n');
    expect(notes).toEqual([expect.stringMatching(/^warning: .*dyad\.csv: media\/room\.mp4 is used by sessions of different speakers: 'd1' \(line 2, speaker 'spk_a'\), 'd2' \(line 3, speaker 'spk_b'\)/)]);
  });

  it('a video shared by two speakers: the warning says the face stage leaves it out, and each session is marked (trial 2026-12-06 W9: both got the same face track)', async () => {
    const p = join(dir, 'dyad-face.csv');
    writeFileSync(p, HEAD + 'd1,spk_a,media/room.mp4,media/a.wav\nd2,spk_b,media/room.mp4,media/b.wav\nd3,spk_c,media/b.mp4,media/c.wav\n');
    const m = await readManifest(p);
    expect(m.notes[0]).toMatch(/; the face stage does not analyse it for them, as which face is whose is not known .*crop the picture per speaker/);
    expect(m.sessions.map((s) => s.video_shared_with ?? null)).toEqual([["'d2' (speaker 'spk_b')"], ["'d1' (speaker 'spk_a')"], null]);
    // a room microphone shared by two speakers (each with a camera of their own) is not a face matter
    const audioOnly = join(dir, 'room-mic.csv');
    writeFileSync(audioOnly, 'session_id,speaker_id,video,room_audio\nd1,spk_a,media/a.mp4,media/c.wav\nd2,spk_b,media/b.mp4,media/c.wav\n');
    const am = await readManifest(audioOnly);
    expect(am.notes[0]).not.toMatch(/face stage/);
    expect(am.sessions.every((s) => s.video_shared_with === undefined)).toBe(true);
  });

  it("a cell naming another session's file, both sessions of one speaker, is a warning (trial8: it was silent)", async () => {
    const notes = await notesOf('slip.csv', HEAD + 's01,spk_a,media/a.mp4,media/a.wav\ns02,spk_a,media/a.mp4,media/b.wav\ns03,spk_c,,media/c.wav\n');
    expect(notes).toEqual([
      expect.stringMatching(/^warning: .*slip\.csv: media\/a\.mp4 is used by 2 sessions of speaker 'spk_a' with different other files: 's01' \(line 2\), 's02' \(line 3\); .*correct the row/),
    ]);
    // A whole row copied is the copied-row warning alone, not this one too.
    const copy = await notesOf('slip-copy.csv', HEAD + 's01,spk_a,media/a.mp4,media/a.wav\ns02,spk_a,media/a.mp4,media/a.wav\n');
    expect(copy).toEqual([expect.stringMatching(/a copied row\?/)]);
  });

  it('two sessions naming one transcript file is a warning naming the file and both lines (trial29 SILENT-4: it was silent)', async () => {
    const H = 'session_id,speaker_id,video,lav_audio,transcript\n';
    const notes = await notesOf('tr.csv', H + 's01,spk_a,media/a.mp4,media/a.wav,media/a.json\ns02,spk_b,media/b.mp4,media/b.wav,media/a.json\ns03,spk_c,,media/c.wav,\n');
    expect(notes).toEqual([
      expect.stringMatching(/^warning: .*tr\.csv: media\/a\.json is the transcript of 2 sessions: 's01' \(line 2\), 's02' \(line 3\); .*\(a copied cell\? give each session its own transcript\)$/),
    ]);
    // Own transcripts: nothing; a whole row copied is the copied-row warning alone.
    expect(await notesOf('tr-own.csv', H + 's01,spk_a,media/a.mp4,media/a.wav,media/a.json\ns02,spk_b,media/b.mp4,media/b.wav,media/b.json\n')).toEqual([]);
    const copy = await notesOf('tr-copy.csv', H + 's01,spk_a,media/a.mp4,media/a.wav,media/a.json\ns02,spk_a,media/a.mp4,media/a.wav,media/a.json\n');
    expect(copy).toEqual([expect.stringMatching(/a copied row\?/)]);
  });

  it('speaker ids that differ only in case, spaces, - or _ are a warning', async () => {
    const notes = await notesOf('spk.csv', HEAD + 's01,spk_a,media/a.mp4,media/a.wav\ns02,SPK-A,media/b.mp4,media/b.wav\ns03,spk_c,,media/c.wav\n');
    expect(notes).toEqual([expect.stringMatching(/speaker ids that differ only in case.*'spk_a' \(1 session\), 'SPK-A' \(1 session\)/)]);
    // ttrial59c: an actor's number with and without its leading zero; the line names the zeros.
    const zeros = await notesOf('pad.csv', HEAD + 's01,actor01,media/a.mp4,media/a.wav\ns02,actor1,media/b.mp4,media/b.wav\n');
    expect(zeros).toEqual([expect.stringContaining("speaker ids that differ only in case, spaces, '-', '_' or a number's leading zeros are counted as different speakers: 'actor01' (1 session), 'actor1' (1 session)")]);
  });

  it('no warning for distinct sessions, a speaker with several sessions, or one file in two roles of a session', async () => {
    const notes = await notesOf('fine.csv', 'session_id,speaker_id,video,camera_audio,lav_audio\ns01,spk_a,media/a.mp4,media/a.mp4,media/a.wav\ns02,spk_a,media/b.mp4,,media/b.wav\ns03,spk_c,,,media/c.wav\n');
    expect(notes).toEqual([]);
  });
});

/** The problem lines readManifest refuses the manifest `text` (written to `p`) with; none when it reads it. */
async function problemLines(p: string, text: string): Promise<string[]> {
  writeFileSync(p, text);
  try {
    await readManifest(p);
    return [];
  } catch (e) {
    return (e as ManifestError).lines();
  }
}

describe('readManifest: a missing file says what to do when the cause is plain', () => {
  it('a name within two edits of one file in its folder gets that name; two as near get no guess (trial8)', async () => {
    const p = join(dir, 'typo.csv');
    const lines = await problemLines(p, HEAD + 's01,spk_a,media/room.mpp4,media/c.wva\ns02,spk_b,media/c.mp4,media/b.wav\n');
    expect(lines).toEqual([
      `${p}:2, column video: no such file: media/room.mpp4 (did you mean 'room.mp4'? it is in the same folder: correct the cell or the file's name)`,
      `${p}:2, column lav_audio: no such file: media/c.wva (did you mean 'c.wav'? it is in the same folder: correct the cell or the file's name)`,
      `${p}:3, column video: no such file: media/c.mp4`,
    ]);
  });

  it("sibling sessions' files one edit away: the look-alike 'l' for '1' picks s01's (a new user's trial got no guess)", async () => {
    const sessions = join(dir, 'sessions');
    mkdirSync(sessions);
    for (const f of ['s01_lav.flac', 's02_lav.flac', 's03_lav.flac', 's01_cam.mp4', 's02_cam.mp4']) writeFileSync(join(sessions, f), 'x');
    const p = join(sessions, 'm.csv');
    const lines = await problemLines(p, HEAD + 's01,spk_a,s01_cam.mp4,s0l_lav.flac\ns02,spk_b,s0Z_cam.mp4,s02_lav.flac\n');
    expect(lines).toEqual([
      `${p}:2, column lav_audio: no such file: s0l_lav.flac (did you mean 's01_lav.flac'? it is in the same folder: correct the cell or the file's name)`,
      `${p}:3, column video: no such file: s0Z_cam.mp4`,
    ]);
  });

  it('a missing transcript with no look-alike: the line says the cell may be left empty (a new user\'s trial got no hint)', async () => {
    const p = join(dir, 'transcript.csv');
    const lines = await problemLines(p, 'session_id,speaker_id,video,lav_audio,transcript\ns01,spk_a,media/a.mp4,media/a.wav,media/s01.json\n');
    expect(lines).toEqual([
      `${p}:2, column transcript: no such file: media/s01.json (if the session has no transcript, leave the cell empty: its features are made without one, and dataset build says so)`,
    ]);
  });

  it("a Windows path whose '/' form exists, and a name that exists in another case, get a hint; others do not", async () => {
    const p = join(dir, 'paths.csv');
    const lines = await problemLines(p, HEAD + 's01,spk_a,media\\a.mp4,media/A.WAV\ns02,spk_b,media/b.mp4,media/none.wav\n');
    expect(lines).toEqual([
      `${p}:2, column video: no such file: media\\a.mp4 (a Windows path? 'media/a.mp4' exists: write '/' between folders)`,
      `${p}:2, column lav_audio: no such file: media/A.WAV (did you mean 'a.wav'? file names are case-sensitive here)`,
      `${p}:3, column lav_audio: no such file: media/none.wav`,
    ]);
  });

  it('a relative path written from another folder (the current one, or one above the manifest) names the path to write', async () => {
    const sub = join(dir, 'manifests', 'lab one');
    mkdirSync(sub, { recursive: true });
    const p = join(sub, 'm.csv');
    // media/a.mp4 is in dir, two folders up; 'a.wav' is in the current folder (media/) only
    writeFileSync(p, HEAD + 's01,spk_a,media/a.mp4,a.wav\ns02,spk_b,media/b.mp4,nowhere.wav\n');
    const cwd = process.cwd();
    let lines: string[] = [];
    try {
      process.chdir(join(dir, 'media'));
      await readManifest(p);
    } catch (e) {
      lines = (e as ManifestError).lines();
    } finally {
      process.chdir(cwd);
    }
    expect(lines).toEqual([
      `${p}:2, column video: no such file: media/a.mp4 (paths are relative to the manifest's folder ${sub}; it is in the folder ${dir}: write '../../media/a.mp4')`,
      `${p}:2, column lav_audio: no such file: a.wav (paths are relative to the manifest's folder ${sub}; it is in the current folder: write '../../media/a.wav')`,
      `${p}:3, column video: no such file: media/b.mp4 (paths are relative to the manifest's folder ${sub}; it is in the folder ${dir}: write '../../media/b.mp4')`,
      `${p}:3, column lav_audio: no such file: nowhere.wav`,
    ]);
  });

  it('a manifest given by a symbolic link in another folder names its target\'s folder, where its media are (ttrial55b)', async () => {
    const target = join(dir, 'media', 'in-media.csv');
    writeFileSync(target, HEAD + 's01,spk_a,a.mp4,a.wav\n');
    mkdirSync(join(dir, 'links'));
    const link = join(dir, 'links', 'm.csv');
    symlinkSync(target, link);
    const lines = await readManifest(link).then(() => [], (e: ManifestError) => e.lines());
    expect(lines[0]).toBe(
      `${link}:2, column video: no such file: a.mp4 (paths are relative to the manifest's folder ${join(dir, 'links')}; it is in the folder of the file the manifest is a symbolic link to, ${realpathSync(join(dir, 'media'))}: write '${relative(join(dir, 'links'), realpathSync(join(dir, 'media', 'a.mp4')))}', or give the manifest by its own path (${realpathSync(target)}))`,
    );
    expect(lines).toHaveLength(2);
  });
});

describe('a session with two video roles', () => {
  it('warns that the second is synced but not face-analysed (trial 2026-12-06 M2: no word)', async () => {
    const notes = await notesOf('two-video.csv', 'session_id,speaker_id,video,side_video,lav_audio\ns01,spk_a,media/a.mp4,media/b.mp4,media/a.wav\n');
    expect(notes).toEqual([expect.stringMatching(/^warning: .*two-video\.csv:2: session 's01' has 2 video roles: the face stage analyses the first, video, alone; side_video is synced but not face-analysed/)]);
  });
});
