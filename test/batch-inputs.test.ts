/**
 * Issue 12, the fast half: what the batch path refuses or says before (or instead of) any media work. Manifest
 * columns in any case and misspelt ones with a "did you mean", transcripts checked up front, CSV dialects (, ; tab,
 * decimal comma), dataset build refusing empty, unlabelled and stale output, validate's exit codes, and the command
 * line's shared conventions. Feature folders are synthetic (src/dataset/synthetic-features.ts); media work is in
 * test/extract-clock.test.ts.
 */
import { cpSync, mkdirSync, rmSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest, ManifestError } from '../src/batch/manifest.js';
import { readCsvText, sniffDelimiter, UnclosedQuoteScan } from '../src/common/csv.js';
import { writeSyntheticSession } from '../src/dataset/synthetic-features.js';
import { buildProgram } from '../src/cli/main.js';
import { parseSegmentMode } from '../src/dataset/segments.js';
import { FIXTURES, runCli, runCliInProcess, tempDir } from './helpers/cli.js';

const DEMO = join(FIXTURES, 'demo');
const MANIFEST = join(DEMO, 'manifest.csv');
const RATINGS = join(DEMO, 'ratings.csv');
const { dir, cleanup } = tempDir('mmprep-batch-inputs-');
const FEATURES = join(dir, 'features');
afterAll(() => cleanup());

beforeAll(async () => {
  for (const f of ['s01_camera.mp4', 's01_lav.flac', 's01_transcript.json', 's02_transcript.jsonl', 's03_transcript.vtt']) cpSync(join(DEMO, f), join(dir, f));
  for (const [i, id] of ['s01', 's02', 's03'].entries()) await writeSyntheticSession(FEATURES, { session_id: id, duration_s: 10, seed: 5 + i, mediaDir: DEMO });
});

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function problems(p: string, opts = {}): Promise<string[]> {
  try {
    await readManifest(p, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestError);
    return (e as ManifestError).lines();
  }
  return [];
}

describe('manifest columns (issue 12, item 1)', () => {
  it('matches column names and --ref-role in any case', async () => {
    const p = write('case.csv', 'Session_ID,SPEAKER_ID,Video,Lav_Audio,Transcript\ns01,p1,s01_camera.mp4,s01_lav.flac,s01_transcript.json\n');
    const m = await readManifest(p, { refRole: 'LAV_AUDIO' });
    expect(m.roles).toEqual(['video', 'lav_audio']);
    expect(m.sessions[0]).toMatchObject({ session_id: 's01', speaker_id: 'p1', ref_role: 'lav_audio' });
    expect(m.sessions[0].media.map((x) => x.kind)).toEqual(['video', 'audio']);
    expect(m.sessions[0].transcript).toBe(join(dir, 's01_transcript.json'));
  });

  it('refuses misspelt columns with a "did you mean", every problem at once, exit 2, nothing written', async () => {
    const p = write('typo.csv', 'session_id,speaker_id,vidoe,lav_audo,transcrpt,session,condition\ns01,p1,s01_camera.mp4,s01_lav.flac,,x,happy\n');
    const out = join(dir, 'out-typo');
    const r = await runCli(['extract', p, '-o', out]);
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    // stdout is extract's JSON summary line: a refused manifest gives ok false with the same problems
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, manifest: p, out, problems: lines.slice(0, -1).map((l) => l.replace(/^mmprep: /, '')), exit_code: 2 });
    expect(lines[0]).toBe(`mmprep: ${p}:1, column vidoe: not a media role or a known column: did you mean 'video'? (to keep it as metadata, name it 'meta_vidoe' or pass --allow-columns vidoe)`);
    expect(lines[1]).toMatch(/column lav_audo: .*did you mean 'lav_audio'\?/);
    expect(lines[2]).toMatch(/column transcrpt: .*did you mean 'transcript'\?/);
    expect(lines[3]).toMatch(/column session: .*did you mean 'session_id'\?/);
    expect(lines[4]).toMatch(/no media columns/);
    expect(lines.at(-1)).toMatch(/5 problem\(s\) in .*typo\.csv; nothing was extracted/);
    expect(existsSync(out)).toBe(false);
  });

  it('keeps look-alike columns as metadata with the meta_ prefix or --allow-columns', async () => {
    const p = write('meta.csv', 'session_id,speaker_id,video,meta_audio_notes,audio_quality\ns01,p1,s01_camera.mp4,hum,good\n');
    expect(await problems(p)).toEqual([`${p}:1, column audio_quality: not a media role or a known column: did you mean 'quality_audio'? (to keep it as metadata, name it 'meta_audio_quality' or pass --allow-columns audio_quality)`]);
    const m = await readManifest(p, { allowColumns: ['Audio_Quality'] });
    expect(m.sessions[0].meta).toEqual({ meta_audio_notes: 'hum', audio_quality: 'good' });
    expect(m.roles).toEqual(['video']);
  });

  it('suggests the nearest role after squashing case and separators, and quotes --allow-columns for the shell', async () => {
    const p = write('near.csv', 'session_id,speaker_id,video,lav_audio,lavaudio,Lav Audio,camaudio\ns01,p1,s01_camera.mp4,s01_lav.flac,a,b,c\n');
    const lines = await problems(p);
    expect(lines[0]).toMatch(/column lavaudio: .*did you mean 'lav_audio'\?/);
    expect(lines[1]).toMatch(/column Lav Audio: .*did you mean 'lav_audio'\?/);
    expect(lines[2]).toMatch(/column camaudio: .*did you mean 'cam_audio'\?/);
    // The suggested option pastes into a shell as one word, and that word keeps the column.
    const arg = /--allow-columns (.*)\)$/.exec(lines[1])![1];
    expect(arg).toBe("'Lav Audio'");
    const { execFileSync } = await import('node:child_process');
    const word = execFileSync('sh', ['-c', `printf '%s\\n' ${arg}`], { encoding: 'utf8' }).trimEnd();
    expect(word).toBe('Lav Audio');
    const kept = await problems(p, { allowColumns: [word, 'lavaudio', 'camaudio'] });
    expect(kept).toEqual([]);
  });

  it('a column of another name that holds media files is refused, not ignored (exit 2 naming line and column)', async () => {
    const p = write('mic.csv', 'session_id,speaker_id,video,mic,notes\ns01,p1,s01_camera.mp4,s01_lav.flac,hello\n');
    expect(await problems(p)).toEqual([`${p}:2, column mic: holds a media file ('s01_lav.flac') but is not a media role, so it would be ignored: name the column 'mic_audio' or 'mic_video' (or 'meta_mic', or pass --allow-columns mic, to keep it as metadata)`]);
    const kept = write('mic-meta.csv', 'session_id,speaker_id,video,meta_mic\ns01,p1,s01_camera.mp4,s01_lav.flac\n');
    expect(await problems(kept)).toEqual([]);
  });

  it('parses transcripts and checks transcript_clock in the up-front pass (exit 2 before any work)', async () => {
    write('bad_transcript.json', '{"segments": [{"start": 1, "end": "soon", "text": "hi"}]}');
    const p = write(
      'tc.csv',
      'session_id,speaker_id,video,lav_audio,transcript,transcript_clock\n' +
        's01,p1,s01_camera.mp4,s01_lav.flac,bad_transcript.json,\n' +
        's02,p2,s01_camera.mp4,,s02_transcript.jsonl,lav_audio\n' +
        's03,p3,s01_camera.mp4,,,video\n' +
        's04,p4,s01_camera.mp4,,s02_transcript.jsonl,Video\n',
    );
    const out = join(dir, 'out-tc');
    const r = await runCli(['extract', p, '-o', out]);
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/tc\.csv:2, column transcript: not a transcript mmprep reads: .*bad_transcript\.json.*end must be a finite number/);
    expect(lines[1]).toMatch(/tc\.csv:3, column transcript_clock: transcript_clock 'lav_audio' is not a media role of this session \(use 'reference' or one of: video\)/);
    expect(lines[2]).toMatch(/tc\.csv:4, column transcript_clock: transcript_clock 'video' is given but the session has no transcript/);
    expect(lines).toHaveLength(4); // s04's 'Video' is the video role
    expect(existsSync(out)).toBe(false);
  });
});

describe('CSV dialects (issue 12, item 5)', () => {
  it('sniffs comma, semicolon and tab from the header, outside quotes', () => {
    expect(sniffDelimiter('a,b;c\n')).toBe(',');
    expect(sniffDelimiter('\uFEFFsession_id;speaker_id;video\ns1;p;"x,y,z"\n')).toBe(';');
    expect(sniffDelimiter('"a,b";c;d\n')).toBe(';');
    expect(sniffDelimiter('\n\na\tb\tc\n')).toBe('\t');
    expect(sniffDelimiter('single\n')).toBe(',');
    expect(readCsvText('a;b\n\n1;"2;3"\n', 'x.csv')).toMatchObject({ delimiter: ';', header: ['a', 'b'], rows: [{ line: 3, cells: ['1', '2;3'] }] });
  });

  it('an unclosed quote is named at the line where it opens, not the last line (a new user\'s trial: line 4 of 4 for a quote of line 3)', () => {
    const text = 'session_id,video\n"s1","a ""b"".mp4"\ns2,"b.mp4\ns3,c.mp4\ns4,d.mp4\n';
    expect(() => readCsvText(text, 'm.csv')).toThrow(expect.objectContaining({ location: { file: 'm.csv', line: 3 }, message: expect.stringContaining('a quote (") is opened and never closed: close it or remove it') }));
    // a quote inside a cell (not its first character) opens nothing; a quoted cell over two lines closes
    const scan = new UnclosedQuoteScan(';');
    scan.push('a;b x"y;"two\nlines";c\n1;"');
    scan.push('open\n');
    expect(scan.openedAt()).toBe(3);
    const closed = new UnclosedQuoteScan(',');
    closed.push('a,"b\n""c"""\n');
    expect(closed.openedAt()).toBeUndefined();
  });

  it('extract and dataset build read semicolon and tab manifests and say so; --delimiter chooses', async () => {
    // Media and transcripts by absolute path: the features' sync.json maps fixtures/demo's files, not same-named others.
    const demoText = readFileSync(MANIFEST, 'utf8').replace(/\bs\d\d_[\w.]+/g, (f) => join(DEMO, f));
    const semi = write('semi.csv', demoText.replaceAll(',', ';'));
    const m = await readManifest(semi, { checkFiles: false });
    expect(m.sessions.map((s) => s.session_id)).toEqual(['s01', 's02', 's03']);
    expect(m.notes).toEqual([`${semi}: read as semicolon-separated (sniffed from the header; --delimiter to choose)`]);
    const tab = write('tab.tsv', demoText.replaceAll(',', '\t'));
    expect((await readManifest(tab, { checkFiles: false })).sessions[2].transcript).toBe(join(DEMO, 's03_transcript.vtt'));
    const forced = await problems(semi, { checkFiles: false, delimiter: ',' });
    expect(forced).toEqual([expect.stringMatching(/semi\.csv:1: the header is one column \('session_id;speaker_id;.*'\) when read as comma-separated: it looks semicolon-separated; pass --delimiter semicolon$/)]);
    const r = await runCliInProcess(['dataset', 'build', semi, '--features', FEATURES, '-o', join(dir, 'ds-semi'), '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^mmprep dataset build: .*semi\.csv: read as semicolon-separated/);
  });

  it('agreement sniffs a semicolon file and points a decimal comma at --decimal-comma', async () => {
    const text = readFileSync(RATINGS, 'utf8');
    const semi = write('ratings-semi.csv', text.replaceAll(',', ';'));
    const dot = await runCliInProcess(['agreement', RATINGS, '--json']);
    const r = await runCliInProcess(['agreement', semi, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ratings-semi\.csv: read as semicolon-separated/);
    expect(JSON.parse(r.stdout).dimensions[0].icc).toEqual(JSON.parse(dot.stdout).dimensions[0].icc);
    // Ratings with a decimal comma (Excel, European locale): told what to do, then read as numbers.
    const comma = write('ratings-comma.csv', text.replaceAll(',', ';').replace(/;(\d+)\n/g, ';$1,5\n'));
    const bad = await runCliInProcess(['agreement', comma]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/non-numeric rating '\d+,5' \(a decimal comma\? use --decimal-comma/);
    const good = await runCliInProcess(['agreement', comma, '--decimal-comma', '--json']);
    expect(good.code, good.stderr).toBe(0);
    const tabbed = await runCliInProcess(['agreement', write('ratings.tsv', text.replaceAll(',', '\t')), '--delimiter', 'tab', '--json']);
    expect(tabbed.code, tabbed.stderr).toBe(0);
    expect(tabbed.stderr).not.toMatch(/sniffed/);
  });
});

describe('dataset build refuses empty, unlabelled and stale output (issue 12, items 3 and 4)', () => {
  const build = (manifest: string, out: string, ...extra: string[]) => runCliInProcess(['dataset', 'build', manifest, '--features', FEATURES, '-o', out, '--quiet', ...extra]);

  it('0 records: one line naming the missing transcript column, exit 4, nothing written', async () => {
    const noText = write('no-transcript.csv', 'session_id,speaker_id,video,lav_audio\ns01,spk_a,s01_camera.mp4,s01_lav.flac\n');
    const out = join(dir, 'ds-empty');
    const r = await build(noText, out);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr.trim()).toBe("mmprep: dataset not written: 0 records: --segments utterance needs transcripts, and no session has one (the manifest has no 'transcript' column); add it, or use --segments fixed:LEN");
    expect(existsSync(out)).toBe(false);
    const ok = await build(noText, out, '--segments', 'fixed:2');
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('0 records, every session never extracted: the shared reason once with the ids, not once per session (trial8)', async () => {
    const empty = join(dir, 'features-empty');
    for (const id of ['s01', 's02', 's03']) mkdirSync(join(empty, id), { recursive: true });
    const out = join(dir, 'ds-none');
    const r = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', empty, '-o', out, '--quiet']);
    expect(r.code, r.stderr).toBe(4);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.includes('warning'));
    expect(lines).toEqual([
      `mmprep: dataset not written: 0 records: every session failed (3 sessions (s01, s02, s03): ${empty}/<session_id>: features incomplete (no meta.json: extract did not finish this session, and no _errors.jsonl there names it); run mmprep extract --resume with the same manifest and -o to make it)`,
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it('--segments labels with ratings lacking session_id/start_s/end_s: exit 4 naming the file', async () => {
    const bare = write('bare.csv', 'target,rater,rating\nx1,r1,3\nx1,r2,4\nx2,r1,5\nx2,r2,5\n');
    const r = await build(MANIFEST, join(dir, 'ds-bare'), '--segments', 'labels', '--labels', bare);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/0 records: --segments labels needs session_id, start_s and end_s columns in the labels file, and .*bare\.csv has none/);
  });

  it('labels that match nothing: exit 4; a partial match: counts on stderr, gated by --min-label-coverage', async () => {
    const bare = join(dir, 'bare.csv');
    const none = await build(MANIFEST, join(dir, 'ds-none'), '--labels', bare);
    expect(none.code, none.stderr).toBe(4);
    expect(none.stderr).toMatch(/labels given but none of their 2 targets matched a record \(targets look like 'x1'\): targets must be record ids \(like 's01\/u0000'\)/);
    expect(existsSync(join(dir, 'ds-none'))).toBe(false);
    // ttrial59c: labels of whole clips keyed by session id, under fixed segments: the refusal gives this build's id
    // form (w00000, not u0000) and how per-session labels reach the records.
    const bySession = write('by-session.csv', 'clip,rater,rating\ns01,r1,3\ns01,r2,4\ns02,r1,5\ns02,r2,5\n');
    const clips = await build(MANIFEST, join(dir, 'ds-clips'), '--segments', 'fixed:20', '--labels', bySession, '--target-col', 'clip');
    expect(clips.code, clips.stderr).toBe(4);
    expect(clips.stderr).toContain("targets must be record ids (like 's01/w00000') or come with session_id, start_s, end_s columns; these targets are session ids (a label per clip): with --segments fixed:LEN, LEN at least the longest session, each session is one record '<session_id>/w00000', so key the labels by that id");
    expect(none.stderr).not.toContain('session ids');
    // ... and given as whole-session spans, under windows of less than half a span: why none labels a window.
    const spans = write('whole-spans.csv', 'session_id,start_s,end_s,target,rater,rating\ns01,0,9.5,s01,r1,3\ns01,0,9.5,s01,r2,4\ns02,0,9.5,s02,r1,5\ns02,0,9.5,s02,r2,5\n');
    const windows = await build(MANIFEST, join(dir, 'ds-windows'), '--segments', 'fixed:2', '--labels', spans);
    expect(windows.code, windows.stderr).toBe(4);
    expect(windows.stderr).toContain('no labelled span overlaps a segment by IoU >= 0.5: every labelled span (9.50-9.50 s) is over twice the 2 s windows, so a window inside one overlaps it by IoU below 0.5 and takes no label');
    const lines = readFileSync(RATINGS, 'utf8').split('\n');
    const part = write('ratings-s01.csv', lines.filter((l, i) => i === 0 || l.startsWith('s01,')).join('\n') + '\n');
    const out = join(dir, 'ds-part');
    const r = await build(MANIFEST, out, '--labels', part);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/labels: valence: 3 of 8 records labelled \(37\.5 %\); 3 of 3 targets used/);
    const gated = await build(MANIFEST, join(dir, 'ds-gated'), '--labels', part, '--min-label-coverage', '0.5');
    expect(gated.code).toBe(4);
    expect(gated.stderr).toMatch(/dataset not written: label coverage below --min-label-coverage 0\.5: valence 3 of 8 records \(37\.5 %\), arousal 3 of 8/);
    expect(existsSync(join(dir, 'ds-gated'))).toBe(false);
  });

  it('a semicolon labels file with decimal commas gives the labels of the comma file', async () => {
    const text = readFileSync(RATINGS, 'utf8');
    const semi = write('ratings-dc.csv', text.replaceAll(',', ';').replace(/^(s\d\d;)(\d+)\.(\d+);(\d+)\.(\d+);/gm, '$1$2,$3;$4,$5;'));
    const a = await build(MANIFEST, join(dir, 'ds-dot'), '--labels', RATINGS);
    const b = await build(MANIFEST, join(dir, 'ds-dc'), '--labels', semi, '--decimal-comma');
    expect(b.code, b.stderr).toBe(0);
    const labels = (d: string) =>
      readdirSync(join(dir, d))
        .filter((f) => f.startsWith('data-'))
        .sort()
        .flatMap((f) => readFileSync(join(dir, d, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).labels));
    expect(a.code).toBe(0);
    expect(labels('ds-dc')).toEqual(labels('ds-dot'));
  });

  it('records without audio or face features: exit 4 naming the cause; a modality no record has is said on stderr', async () => {
    const strip = (name: string, files: string[]) => {
      const feats = join(dir, name);
      cpSync(FEATURES, feats, { recursive: true });
      for (const s of ['s01', 's02', 's03']) {
        for (const f of files) rmSync(join(feats, s, f), { force: true });
        const mp = join(feats, s, 'meta.json');
        const m = JSON.parse(readFileSync(mp, 'utf8'));
        m.outputs = m.outputs.filter((o: { file: string }) => !files.includes(o.file));
        writeFileSync(mp, JSON.stringify(m));
      }
      return feats;
    };
    const none = strip('features-none', ['audio.jsonl', 'audio.summary.json', 'face.jsonl', 'face.summary.json']);
    const r = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', none, '-o', join(dir, 'ds-none'), '--quiet']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/dataset not written: none of the \d+ records has audio or face features/);
    expect(existsSync(join(dir, 'ds-none'))).toBe(false);
    const noFace = strip('features-noface', ['face.jsonl', 'face.summary.json']);
    const ok = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', noFace, '-o', join(dir, 'ds-noface')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/presence: no record has face features/);
  });

  it('refuses feature files not listed in meta.json or made on another clock (exit 2, session and file named)', async () => {
    const feats = join(dir, 'features-stale');
    cpSync(FEATURES, feats, { recursive: true });
    // s02: sync.json redone (another clock, meta.json listing the new one) after audio.jsonl and face.jsonl were written;
    // s01: sync.json replaced after extraction (meta.json lists another: copied from another session's folder, a new
    // user's trial: the advice --only audio then failed on the foreign clock); s03: a face.jsonl meta.json does not list.
    const sync = join(feats, 's02', 'sync.json');
    writeFileSync(sync, readFileSync(sync, 'utf8').replace('\n}', ',\n  "redone": true\n}'));
    const meta2 = join(feats, 's02', 'meta.json');
    const m2 = JSON.parse(readFileSync(meta2, 'utf8'));
    m2.outputs.find((o: { file: string }) => o.file === 'sync.json').sha256 = createHash('sha256').update(readFileSync(sync)).digest('hex');
    writeFileSync(meta2, JSON.stringify(m2));
    cpSync(sync, join(feats, 's01', 'sync.json'));
    const meta3 = join(feats, 's03', 'meta.json');
    const m3 = JSON.parse(readFileSync(meta3, 'utf8'));
    m3.outputs = m3.outputs.filter((o: { file: string }) => o.file !== 'face.jsonl');
    writeFileSync(meta3, JSON.stringify(m3));
    const r = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', feats, '-o', join(dir, 'ds-stale'), '--quiet']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/4 problems with the extracted features or their media: session s01: sync\.json changed after extraction \(its sha256 is not the one meta\.json lists: copied from another session's folder, or edited\?\); run mmprep extract for this session with the sync stage \(no --only, or --only sync,audio,face\); session s02: audio\.jsonl was made on sync\.json sha256:[0-9a-f]{12}… but the session's clock is now sync\.json sha256:[0-9a-f]{12}…; run mmprep extract --only audio for this session; session s02: face\.jsonl was made on/);
    expect(r.stderr).toMatch(/session s03: face\.jsonl is not listed in meta\.json \(left by another run\)/);
    expect(existsSync(join(dir, 'ds-stale'))).toBe(false);
  });

  it("leaves out a session whose media are not the ones its features were extracted from (a file replaced after extract, same name), alone", async () => {
    const feats = join(dir, 'features-inputs');
    cpSync(FEATURES, feats, { recursive: true });
    const media = join(dir, 'media-swap');
    cpSync(DEMO, media, { recursive: true });
    // meta.json of s01 as extract writes it: its inputs by role, with size and sha256 of the demo's own files.
    const meta1 = join(feats, 's01', 'meta.json');
    const m1 = JSON.parse(readFileSync(meta1, 'utf8'));
    m1.inputs = ['s01_camera.mp4', 's01_lav.flac'].map((f, i) => {
      const bytes = readFileSync(join(DEMO, f));
      return { role: i ? 'lav_audio' : 'video', kind: i ? 'audio' : 'video', file: f, size_bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), duration_s: 10 };
    });
    writeFileSync(meta1, JSON.stringify(m1));
    const manifest = join(media, 'manifest.csv');
    const same = await runCliInProcess(['dataset', 'build', manifest, '--features', feats, '-o', join(dir, 'ds-inputs-same'), '--quiet']);
    expect(same.code, same.stderr).toBe(0);
    cpSync(join(DEMO, 's03_lav.flac'), join(media, 's01_lav.flac')); // the wrong take copied over s01's
    // The session fails alone, as one extract failed (exit 4, the others built): it refused the whole build (exit 2)
    // until 2026-12-07, so one upload held back a release (ttrial51 F5).
    const r = await runCliInProcess(['dataset', 'build', manifest, '--features', feats, '-o', join(dir, 'ds-inputs'), '--quiet']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/^mmprep: 1 of 3 sessions failed and are not in the dataset: s01 \(media changed since extraction\); each session's reason: its FAILED line on stderr, the release's manifest\.json/m);
    expect(r.stderr).toMatch(/^s01: FAILED: .*s01_lav\.flac/m); // --quiet: the failed session's reason is still said
    const built = JSON.parse(readFileSync(join(dir, 'ds-inputs', 'manifest.json'), 'utf8'));
    expect(built.counts).toMatchObject({ sessions: 2, sessions_failed: 1 });
    expect(built.counts.records).toBeGreaterThan(0);
    const s01 = built.sessions.find((s: { session_id: string }) => s.session_id === 's01').error as string;
    expect(s01).toMatch(/^lav_audio s01_lav\.flac is not the file its features were extracted from \(s01_lav\.flac, \d+ bytes, sha256 [0-9a-f]{12}…; now \d+ bytes\); run mmprep extract --resume/); // another size: refused on a stat, not read
    expect(s01).not.toMatch(/video s01_camera/);
    const sameSize = readFileSync(join(DEMO, 's01_lav.flac'));
    sameSize[sameSize.length - 1] ^= 0xff; // one byte changed, same size: only the hash tells
    writeFileSync(join(media, 's01_lav.flac'), sameSize);
    const r2 = await runCliInProcess(['dataset', 'build', manifest, '--features', feats, '-o', join(dir, 'ds-inputs-2')]);
    expect(r2.code, r2.stderr).toBe(4);
    expect(r2.stderr).toMatch(/^s01: FAILED: lav_audio s01_lav\.flac is not the file its features were extracted from \(s01_lav\.flac, (\d+) bytes, sha256 [0-9a-f]{12}…; now \1 bytes, sha256 [0-9a-f]{12}…\)/m);
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/^s01,spk_a,s01_camera\.mp4,/m, 's01,spk_a,,'));
    cpSync(join(DEMO, 's01_lav.flac'), join(media, 's01_lav.flac'));
    const noVideo = await runCliInProcess(['dataset', 'build', manifest, '--features', feats, '-o', join(dir, 'ds-inputs'), '--quiet']);
    expect(noVideo.code, noVideo.stderr).toBe(2);
    expect(noVideo.stderr).toMatch(/session s01: its features were extracted with video s01_camera\.mp4, which this manifest's row does not have/);
    // The manifest copied away from its media: nothing to check the features against, so nothing built (it was built
    // without a word before 2026-12-05, and a transcript_clock session was told "same name, different file").
    const moved = join(dir, 'manifest-moved');
    mkdirSync(moved, { recursive: true });
    cpSync(MANIFEST, join(moved, 'manifest.csv'));
    const away = await runCliInProcess(['dataset', 'build', join(moved, 'manifest.csv'), '--features', feats, '-o', join(dir, 'ds-away'), '--quiet']);
    expect(away.code, away.stderr).toBe(2);
    // with extract's hint for a missing file (src/batch/missing-file-hint.ts; since 2026-12-06)
    expect(away.stderr).toContain(`session s01: video s01_camera.mp4 does not exist (${join(moved, 's01_camera.mp4')}) (paths are relative to the manifest's folder ${moved}; it is in the folder ${dir}: write '../s01_camera.mp4'): the build reads each media file once`);
    expect(away.stderr).toContain('put the media where the manifest names them');
    expect(existsSync(join(dir, 'ds-away'))).toBe(false);
  });

  it('validate: exit 2 for a folder that is not a release, 3 for an empty release', async () => {
    const notRelease = await runCliInProcess(['dataset', 'validate', FEATURES]);
    expect(notRelease.code).toBe(2);
    expect(notRelease.stderr.trim()).toBe(`mmprep: ${FEATURES}: not an mmprep dataset release (no manifest.json); give the folder \`mmprep dataset build -o\` wrote`);
    const empty = join(dir, 'empty-release');
    cpSync(join(dir, 'ds-part'), empty, { recursive: true });
    const m = JSON.parse(readFileSync(join(empty, 'manifest.json'), 'utf8'));
    Object.assign(m, { files: [], counts: { ...m.counts, records: 0, per_split: {} }, labels: [] });
    writeFileSync(join(empty, 'manifest.json'), JSON.stringify(m));
    for (const f of ['data-train-00000.jsonl', 'data-test-00000.jsonl', 'data-val-00000.jsonl']) if (existsSync(join(empty, f))) writeFileSync(join(empty, f), '');
    const r = await runCliInProcess(['dataset', 'validate', empty]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/FAIL counts: .*the release has no records/);
  });
});

describe('command line conventions (issue 12, item 7)', () => {
  it('no command: exit 2 with the help on stderr; a group without its subcommand too', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage: mmprep \[options\] \[command\]/);
    expect((await runCli(['dataset'])).code).toBe(2);
    expect((await runCli(['--help'])).code).toBe(0);
  });

  it('dataset validate --help names the card and record-count checks against manifest.json', async () => {
    const r = await runCli(['dataset', 'validate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('checksums, the card (README.md) and record counts against manifest.json, speaker leaks');
  });

  it('-o/--output with --out kept, -j/--jobs, choices in any case, --labels that cannot swallow the manifest', async () => {
    const program = await buildProgram();
    const flags = (path: string) => {
      let c = program;
      for (const name of path.split(' ')) c = c.commands.find((x) => x.name() === name)!;
      return c.options.map((o) => o.flags);
    };
    for (const cmd of ['extract', 'audio', 'face', 'agreement', 'demo', 'dataset build']) {
      expect(flags(cmd), cmd).toContain(cmd === 'extract' || cmd === 'demo' || cmd === 'dataset build' ? '-o, --output <path>' : '-o, --output <file>');
      expect(flags(cmd), cmd).toContain(cmd === 'extract' || cmd === 'demo' || cmd === 'dataset build' ? '--out <path>' : '--out <file>');
    }
    for (const cmd of ['extract', 'face', 'demo', 'dataset build', 'dataset validate']) expect(flags(cmd), cmd).toContain('-j, --jobs <n>');
    for (const cmd of ['extract', 'agreement', 'dataset build']) expect(flags(cmd), cmd).toContain('--delimiter <char>');
    // --labels FILE then the manifest: the manifest stays the positional argument; --out still works; NATIVE is native.
    const out = join(dir, 'ds-cli');
    const r = await runCli(['dataset', 'build', '--labels', RATINGS, MANIFEST, '--features', FEATURES, '--out', out, '-j', '2', '--face-rate', 'NATIVE', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).options.face_rate).toBe('native');
    expect(parseSegmentMode('FIXED:2')).toEqual(parseSegmentMode('fixed:2'));
    const missing = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', FEATURES]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/-o, --output <dir> is required/);
  });
});
