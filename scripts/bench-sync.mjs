#!/usr/bin/env node
/**
 * `npm run bench:sync [-- CASE_ROOT...] [--set small|full] [--no-rooms] [--no-scenes] [--no-speed] [--beeps-only | --no-beeps]`:
 * (A) accuracy: runs `mmprep sync` on every case folder (truth.json, docs/sync.md "Test cases with known truth") under the given case
 * roots and, unless --no-rooms / --no-scenes, under a fresh `scripts/make-sync-rooms.mjs --set full` (default) and
 * `scripts/make-sync-scenes.mjs --set full` output (camera scenes: the picture and the camera's sound); scores each
 * stream against truth (error of the clock at the true pulse times; audio right within 1 ms, 5 ms when drr_db < 0,
 * wrong beyond 5 ms; video right within 0.5 frame, wrong beyond 1 frame; refused = exit 2 or the stream unplaced) and
 * prints a table by condition, the rates, and issue 11's targets with pass/fail. The targets' SNR is the session's
 * setting (truth snr_db: the first beep against the interference's mean over the recording); two more lines take it
 * as each true beep's own band SNR (make-sync-rooms' pulses_band_snr_db, printed per stream and per beep), where the
 * truth has it.
 * (B) speed, unless --no-speed: (1) `mmprep sync --search-s 60 --ends both` on a 2-hour AAC file (seek to the windows, do not
 * read the rest), beside the peer of reading the whole file (ffmpeg decoding it to null); (2) whole-file tone
 * scanning speed (audio seconds per second of wall time) on the same 2 hours, beside ffmpeg's decode alone (the
 * floor any scanner that reads the file pays). The 2-hour file is made in a temp dir from a 60 s chunk (speech-like
 * noise with a beep at 5 s) concatenated with stream copy, so nothing large is committed.
 * (C) the beep route alone (printed after A, or alone with --beeps-only): each non-reference microphone's own beep
 * onsets against truth, whether or not its stream was placed by them, by DRR / SNR / codec / RT60; then (D) the
 * reference's own beep onsets against truth (error, onset_sd_s, overconfident beyond 3 sd) (--no-beeps: sessions only).
 * Options: --hours H (default 2), --runs N (best of N, default 3).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const USAGE = `usage: node scripts/bench-sync.mjs [CASE_ROOT...] [options]
  (npm run bench:sync -- ...) runs mmprep sync on every case folder (truth.json) under each CASE_ROOT and scores it
  against the truth; by default also on a fresh make-sync-rooms and make-sync-scenes set, then the speed runs.
options:
  --set small|full   the rooms/scenes set made when not skipped (default full)
  --no-rooms         do not make and run the room set
  --no-scenes        do not make and run the camera scene set
  --no-speed         skip the 2-hour seek and whole-file scan timings
  --beeps-only       only the beep-onset tables (C, D)
  --no-beeps         sessions only (no beep-onset tables)
  --hours H          length of the speed runs' file (default 2)
  --runs N           best of N for the speed runs (default 3)
  -h, --help         print this and exit
`;
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => join(ROOT, 'dist', p);
const { ffmpegBinaries } = await import(dist('media/ffmpeg-path.js'));
const { syncSession } = await import(dist('sync/session.js'));
const { scanAudioTone } = await import(dist('sync/tone/scan-audio.js'));
const { probe } = await import(dist('media/probe.js'));
const { scanVideoFlash } = await import(dist('sync/flash/scan-video.js'));
const { searchWindows } = await import(dist('sync/windows.js'));

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const flag = (name) => process.argv.includes(`--${name}`);
const VALUE_FLAGS = new Set(['--hours', '--runs', '--set']);
const caseRoots = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !VALUE_FLAGS.has(all[i - 1]));
const SETI = process.argv.indexOf('--set');
const SET = SETI > 0 ? process.argv[SETI + 1] : 'full';
const HOURS = arg('hours', 2);
const RUNS = arg('runs', 3);
const ffmpeg = ffmpegBinaries().ffmpeg.path;
const tmp = mkdtempSync(join(tmpdir(), 'mmprep-bench-sync-'));
const ff = (args) => execFileSync(ffmpeg, ['-nostdin', '-y', '-v', 'error', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
const best = async (fn) => {
  let b = Infinity;
  let out;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    out = await fn();
    b = Math.min(b, (performance.now() - t) / 1000);
  }
  return { s: b, out };
};

/** Every folder holding a truth.json under root (depth 2). */
function caseDirs(root) {
  if (existsSync(join(root, 'truth.json'))) return [root];
  return readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'truth.json'))).map((d) => join(root, d.name)).sort();
}

/**
 * The stream's true pulse times on its own clock: the truth's pulses_src_s, or for a camera scene the flash onsets
 * (picture) and the beep as heard on the camera (sound); null when the truth does not say.
 */
function truePulseTimes(st, caseTruth) {
  if (st.pulses_src_s?.length) return st.pulses_src_s;
  const fl = caseTruth.flash;
  if (fl && st.file !== caseTruth.files[0]) {
    const ts = st.kind === 'video' ? fl.onsets_s : fl.beep_on_camera_s;
    if (ts?.length) return ts;
  }
  return null;
}

/** Largest error of the estimated clock against the true one at the stream's true pulse times (or its chosen pulses). */
function clockError(entry, truth, trueTimes) {
  const ts = trueTimes ?? [entry.pulses?.start_s ?? 0, entry.pulses?.end_s].filter((t) => typeof t === 'number');
  const est = (t) => t + entry.offset_s + (entry.drift_ppm ?? 0) * 1e-6 * t;
  const tru = (t) => t + truth.offset_s + (truth.drift_ppm ?? 0) * 1e-6 * t;
  return Math.max(...ts.map((t) => Math.abs(est(t) - tru(t))));
}

/**
 * The largest clock error at the true pulses in units of the clock's sd there, sqrt(offset_sd^2 + (drift_sd t)^2)
 * (offset_s is the clock at t = 0 of the stream's own time); null without an offset sd.
 */
function errInSds(entry, truth, trueTimes) {
  if (typeof entry.offset_sd_s !== 'number' || entry.offset_sd_s <= 0) return null;
  const ts = trueTimes ?? [entry.pulses?.start_s ?? 0, entry.pulses?.end_s].filter((t) => typeof t === 'number');
  const dsd = (entry.drift_sd_ppm ?? 0) * 1e-6;
  const est = (t) => t + entry.offset_s + (entry.drift_ppm ?? 0) * 1e-6 * t;
  const tru = (t) => t + truth.offset_s + (truth.drift_ppm ?? 0) * 1e-6 * t;
  return Math.max(...ts.map((t) => Math.abs(est(t) - tru(t)) / Math.hypot(entry.offset_sd_s, dsd * t)));
}

function verdict(kind, err, truth) {
  if (kind === 'video') {
    const frame = 1 / (truth.fps ?? 30);
    return err <= 0.5 * frame ? 'right' : err > frame ? 'wrong' : 'marginal';
  }
  const right = (truth.drr_db ?? 99) < 0 ? 0.005 : 0.001;
  return err <= right ? 'right' : err > 0.005 ? 'wrong' : 'marginal';
}

function scoreCase(dir) {
  const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
  const out = join(tmp, `${truth.id}.json`);
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'mmprep.js'), 'sync', ...truth.files, ...(truth.args ?? []), '-o', out, '--quiet'], { cwd: dir, encoding: 'utf8' });
  const s = (performance.now() - t) / 1000;
  const rows = [];
  const map = r.status === 0 ? JSON.parse(readFileSync(out, 'utf8')) : null;
  if (truth.expect === 'not_found') return { truth, dir, code: r.status, s, rows, stderr: r.stderr.trim(), negative: true };
  for (const st of truth.streams) {
    if (isReference(st, truth)) continue;
    const e = map?.streams.find((x) => basename(x.file) === basename(st.file) && x.kind === st.kind && (x.stream ?? 0) === (st.stream ?? 0));
    if (!e || e.offset_s === null) {
      rows.push({ kind: st.kind, st, v: r.status === 3 ? 'ambiguous' : 'refused', err: null, why: r.stderr.trim().split('\n')[0] });
      continue;
    }
    const err = clockError(e, st, truePulseTimes(st, truth));
    rows.push({ kind: st.kind, st, v: verdict(st.kind, err, st), err, method: e.method, conf: e.confidence, sd: e.offset_sd_s, inSds: errInSds(e, st, truePulseTimes(st, truth)) });
  }
  return { truth, dir, code: r.status, s, rows, stderr: r.stderr.trim(), negative: false };
}

/** Camera scenes by condition: the picture and the camera's sound (truth tags of make-sync-scenes.mjs). */
function sceneTables(by, video, camAudio) {
  const t = (x, k) => String(x.c.truth.tags?.[k]);
  const ends = (x) => (x.c.truth.tags?.pulses > 1 ? 'start+end' : 'start only');
  const drift = (x) => {
    const d = Math.abs(x.st.drift_ppm ?? 0);
    return d === 0 ? '0' : d < 60 ? '20-59' : '60-100';
  };
  const led = (x) => (x.c.truth.tags?.led_px === 'screen' ? 'screen' : `${String(x.c.truth.tags?.led_px).padStart(2)} px ${x.c.truth.tags?.led_color}`);
  if (video.length) {
    by('video: scene', (x) => t(x, 'scene'), video);
    by('video: led', led, video);
    by('video: fps', (x) => t(x, 'fps'), video);
    by('video: codec', (x) => t(x, 'codec'), video);
    by('video: exposure', (x) => t(x, 'exposure'), video);
    by('video: shutter_deg', (x) => t(x, 'shutter_deg'), video);
    by('video: drift_ppm', drift, video);
    by('video: ends', ends, video);
    by('video: camera sound', (x) => t(x, 'cam_sound'), video);
  }
  if (camAudio.length) {
    by('camera sound: scene', (x) => t(x, 'scene'), camAudio);
    by('camera sound: drift_ppm', drift, camAudio);
    by('camera sound: ends', ends, camAudio);
  }
}

/**
 * The stream's true beeps' own band SNRs (make-sync-rooms: the beep as the room microphone hears it against the talkers
 * and noise over the beep's 0.25 s, in the 10 ms demodulator's band at 1 kHz), "a/b" in dB; '-' without them.
 */
function beepBandSnrs(st) {
  return Array.isArray(st.pulses_band_snr_db) ? st.pulses_band_snr_db.map((v) => v.toFixed(1)).join('/') : '-';
}

function table(rows) {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  for (const r of rows) console.log(r.map((v, c) => String(v).padEnd(w[c])).join('  '));
}

async function accuracy() {
  const roots = [...caseRoots];
  if (!flag('no-rooms')) {
    const d = join(tmp, 'rooms');
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'make-sync-rooms.mjs'), '--out', d, '--set', SET], { stdio: 'inherit' });
    roots.push(d);
  }
  if (!flag('no-scenes')) {
    const d = join(tmp, 'scenes');
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'make-sync-scenes.mjs'), '--out', d, '--set', SET, '--quiet'], { stdio: 'inherit' });
    roots.push(d);
  }
  const dirs = roots.flatMap(caseDirs);
  if (flag('beeps-only')) {
    // The beep route alone, without running whole sessions (quick: the detector on every non-reference microphone).
    const cases = dirs.map((dir) => ({ dir, truth: JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) })).filter((c) => c.truth.expect !== 'not_found');
    await beepRoute(cases);
    await refOnsets(cases);
    return;
  }
  const results = [];
  const t0 = performance.now();
  for (const d of dirs) results.push(scoreCase(d));
  const wall = (performance.now() - t0) / 1000;
  const streams = results.flatMap((c) => c.rows.map((r) => ({ ...r, c })));
  const fmtMs = (v) => (v === null ? '-' : (v * 1000).toFixed(2));
  console.log(`\nper stream (${streams.length} streams in ${results.length} cases; error = clock error at the true pulses, ms)`);
  const detail = [['case', 'kind', 'verdict', 'err_ms', 'method', 'confidence', 'offset_sd_ms', 'beep_band_snr_db']];
  for (const x of streams) detail.push([x.c.truth.id, x.kind, x.v, fmtMs(x.err), x.method ?? (x.why ?? '').replace(/^mmprep: [^:]*: /, '').replace(/^\w+ stream \d+ cannot be put on the reference clock: /, 'refused: ').slice(0, 90), x.conf ?? '-', fmtMs(x.sd ?? null), beepBandSnrs(x.st)]);
  table(detail);
  const by = (label, keyOf, list) => {
    const groups = new Map();
    for (const x of list) {
      const k = keyOf(x);
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(x);
    }
    const rows = [[label, 'n', 'right', 'marginal', 'wrong', 'refused', 'median_err_ms', 'max_err_ms']];
    for (const [k, g] of [...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const errs = g.filter((x) => x.err !== null).map((x) => x.err).sort((a, b) => a - b);
      const n = (v) => g.filter((x) => x.v === v).length;
      rows.push([k, g.length, n('right'), n('marginal'), n('wrong'), n('refused') + n('ambiguous'), errs.length ? fmtMs(errs[errs.length >> 1]) : '-', errs.length ? fmtMs(errs[errs.length - 1]) : '-']);
    }
    console.log('');
    table(rows);
  };
  // Camera scenes (truth.flash) give a picture and, mostly, the camera's own sound; the room cases give microphones.
  const isScene = (x) => Boolean(x.c.truth.flash);
  const audio = streams.filter((x) => x.kind === 'audio' && !isScene(x));
  const camAudio = streams.filter((x) => x.kind === 'audio' && isScene(x));
  const video = streams.filter((x) => x.kind === 'video');
  const tag = (x, k) => x.st[k] ?? x.c.truth.tags?.[k];
  if (audio.length) {
    by('audio: drr_db', (x) => String(tag(x, 'drr_db')).padStart(3), audio);
    by('audio: snr_db', (x) => String(tag(x, 'snr_db')).padStart(3), audio);
    by('audio: codec', (x) => String(x.c.truth.tags?.codec), audio);
    by('audio: rt60_s', (x) => String(x.c.truth.tags?.rt60_s), audio);
  }
  sceneTables(by, video, camAudio);
  const negatives = results.filter((c) => c.negative);
  const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(1)} %` : 'n/a');
  // The camera's sound in the scenes: a moderate room (echo energy 0.48 of the direct sound: DRR about +3 dB), 12 dB SNR.
  const good = [...audio.filter((x) => tag(x, 'drr_db') >= 0 && tag(x, 'snr_db') >= 0), ...camAudio];
  const reverb = audio.filter((x) => tag(x, 'drr_db') < 0 && tag(x, 'drr_db') >= -9 && tag(x, 'snr_db') >= 0);
  // The same two targets with SNR as each beep's own band SNR (make-sync-rooms' pulses_band_snr_db): a stream counts
  // when every one of its true beeps is at 0 dB or more; the camera sound as above, by its scene's setting.
  const measured = audio.every((x) => Array.isArray(x.st.pulses_band_snr_db));
  const beepsOk = (x) => x.st.pulses_band_snr_db.every((v) => v >= 0);
  const goodBeeps = measured ? [...audio.filter((x) => tag(x, 'drr_db') >= 0 && beepsOk(x)), ...camAudio] : [];
  const reverbBeeps = measured ? audio.filter((x) => tag(x, 'drr_db') < 0 && tag(x, 'drr_db') >= -9 && beepsOk(x)) : [];
  const noBandSnr = 'n/a (truth without pulses_band_snr_db: made before it)';
  const within = (list, s) => list.filter((x) => x.err !== null && x.err <= s).length;
  const vRight = video.filter((x) => x.v === 'right').length;
  const vBad = video.filter((x) => x.v === 'wrong' || x.v === 'marginal').length;
  const wrongPlaced = streams.filter((x) => x.v === 'wrong' && x.c.code === 0);
  const negOk = negatives.filter((c) => c.code === 2).length;
  const refusedN = (list) => list.filter((x) => x.v === 'refused' || x.v === 'ambiguous').length;
  console.log(`\nrates: audio ${pct(audio.filter((x) => x.v === 'right').length, audio.length)} right, ${pct(refusedN(audio), audio.length)} refused; camera sound ${pct(camAudio.filter((x) => x.v === 'right').length, camAudio.length)} right, ${pct(refusedN(camAudio), camAudio.length)} refused; video ${pct(vRight, video.length)} right, ${pct(refusedN(video), video.length)} refused; ${results.length} cases in ${wall.toFixed(1)} s (${(results.length / wall).toFixed(2)} cases/s, loaded machine)`);
  const targets = [
    ['target', 'measured', 'pass'],
    ['video streams within 0.5 frame >= 95 %, the rest refused', `${vRight}/${video.length} right, ${vBad} placed outside 0.5 frame`, video.length ? String(vRight >= 0.95 * video.length && vBad === 0) : 'n/a (no video cases given)'],
    ['audio within 1 ms where drr >= 0 and snr >= 0', `${within(good, 0.001)}/${good.length}${camAudio.length ? ` (of them camera sound ${within(camAudio, 0.001)}/${camAudio.length})` : ''}`, String(within(good, 0.001) === good.length)],
    ['audio within 5 ms for drr -9..0 dB (snr >= 0)', `${within(reverb, 0.005)}/${reverb.length}`, String(within(reverb, 0.005) === reverb.length)],
    ['  the same by each beep\'s own band snr: 1 ms, drr >= 0, every beep >= 0 dB', measured ? `${within(goodBeeps, 0.001)}/${goodBeeps.length}` : noBandSnr, measured ? String(within(goodBeeps, 0.001) === goodBeeps.length) : 'n/a'],
    ['  the same by each beep\'s own band snr: 5 ms, drr -9..0, every beep >= 0 dB', measured ? `${within(reverbBeeps, 0.005)}/${reverbBeeps.length}` : noBandSnr, measured ? String(within(reverbBeeps, 0.005) === reverbBeeps.length) : 'n/a'],
    ['negative controls exit 2', `${negOk}/${negatives.length}`, String(negOk === negatives.length)],
    ['zero streams placed wrong with exit 0', `${wrongPlaced.length}${wrongPlaced.length ? ` (${wrongPlaced.map((x) => x.c.truth.id).join(', ')})` : ''}`, String(wrongPlaced.length === 0)],
  ];
  console.log('');
  table(targets);
  for (const c of negatives.filter((c) => c.code !== 2)) console.log(`negative control ${c.truth.id}: exit ${c.code} (${c.stderr.split('\n')[0]})`);
  if (audio.length) routeTable(audio, tag);
  sdTable(streams);
  if (!flag('no-beeps')) await beepRoute(results.filter((c) => !c.negative));
  if (!flag('no-beeps')) await refOnsets(results.filter((c) => !c.negative));
}

/**
 * Does each placed stream's offset_sd_s say how far off it is? By method: placed streams, those without an sd, and
 * those more than 2 / 3 sd off at their true pulses (the sd there: offset_sd_s with drift_sd_ppm over the time from
 * the stream's time 0; a stream off beyond its stated uncertainty with exit 0 is what the sd must not allow), with the
 * largest |error| / sd.
 */
function sdTable(streams) {
  const placed = streams.filter((x) => x.err !== null && x.c.code === 0);
  const rows = [['offset_sd by method (exit 0)', 'n', 'no sd', '> 2 sd', '> 3 sd', 'max err/sd', 'median sd_ms']];
  for (const m of [...new Set(placed.map((x) => x.method))].sort()) {
    const g = placed.filter((x) => x.method === m);
    const withSd = g.filter((x) => x.inSds !== null);
    const ratio = withSd.map((x) => x.inSds).sort((a, b) => a - b);
    const sds = withSd.map((x) => x.sd).sort((a, b) => a - b);
    rows.push([m, g.length, g.length - withSd.length, ratio.filter((r) => r > 2).length, ratio.filter((r) => r > 3).length, ratio.length ? ratio[ratio.length - 1].toFixed(2) : '-', sds.length ? (sds[sds.length >> 1] * 1000).toFixed(2) : '-']);
  }
  if (rows.length === 1) return;
  console.log('');
  table(rows);
}

/** Which route placed each audio stream, by DRR (tone = its own beep; xcorr = cross-correlation; refused). */
function routeTable(audio, tag) {
  const rows = [['audio route by drr_db', 'n', 'tone', 'xcorr', 'other', 'refused']];
  const keys = [...new Set(audio.map((x) => tag(x, 'drr_db')))].sort((a, b) => b - a);
  for (const k of keys) {
    const g = audio.filter((x) => tag(x, 'drr_db') === k);
    const m = (f) => g.filter(f).length;
    rows.push([String(k).padStart(3), g.length, m((x) => x.method === 'tone'), m((x) => x.method === 'xcorr'), m((x) => x.method && !['tone', 'xcorr'].includes(x.method)), m((x) => !x.method)]);
  }
  console.log('');
  table(rows);
}

/**
 * The beep route alone (issue 11 items 4 and 6): every true pulse of every non-reference audio stream against the
 * detector's own onset in that stream (scanAudioTone over the windows `mmprep sync` searches with its defaults),
 * whether or not the stream was placed by it. A pulse is "found" when a detection lies within 0.3 s of it (a beep
 * read late by the echo's build-up is found, and wrong);
 * "placeable" is the detector's own verdict; right = placeable and within 1 ms (5 ms where drr_db < 0); wrong =
 * placeable and more than 5 ms off.
 */
async function beepRoute(cases) {
  const pulses = [];
  for (const c of cases) {
    const dir = c.dir;
    for (const st of c.truth.streams) {
      if (st.kind !== 'audio' || !st.pulses_src_s?.length || st.file === c.truth.files[0]) continue;
      const file = join(dir, st.file);
      const p = await probe(file);
      const ends = (c.truth.args ?? []).includes('both') ? 'both' : 'start';
      const { windows } = searchWindows(file, p.duration_s ?? null, 60, ends);
      const scan = await scanAudioTone(file, windows, { probed: p, stream: st.stream ?? 0 });
      const dets = scan.windows.flatMap((w) => w.detections);
      for (const [i, t] of st.pulses_src_s.entries()) {
        const d = dets.reduce((b, x) => (Math.abs(x.t_s - t) < 0.3 && (!b || Math.abs(x.t_s - t) < Math.abs(b.t_s - t)) ? x : b), null);
        const tags = c.truth.tags ?? {};
        const beepSnr = st.pulses_band_snr_db?.[i] ?? null;
        pulses.push({ id: c.truth.id, drr: st.drr_db ?? tags.drr_db, snr: st.snr_db ?? tags.snr_db, beepSnr, codec: tags.codec, rt60: tags.rt60_s, d, err: d ? d.t_s - t : null });
      }
    }
  }
  if (!pulses.length) return;
  const fmt = (v) => (v === null || v === undefined ? '-' : (v * 1000).toFixed(2));
  const verdict = (x) => {
    if (!x.d) return 'not_found';
    if (x.d.placeable === false) return 'unplaceable';
    const e = Math.abs(x.err);
    return e <= (x.drr < 0 ? 0.005 : 0.001) ? 'right' : e > 0.005 ? 'wrong' : 'marginal';
  };
  console.log(`\nbeep route alone: ${pulses.length} true beeps in the non-reference microphones (own onset vs truth, ms)`);
  const detail = [['case', 'truth_err_ms', 'onset_sd_ms', 'placeable', 'confidence', 'band_snr_db', 'true_band_snr_db', 'verdict / reason']];
  for (const x of pulses) detail.push([x.id, fmt(x.err), fmt(x.d?.onset_sd_s), x.d ? String(x.d.placeable !== false) : '-', x.d?.confidence?.toFixed?.(3) ?? '-', x.d ? x.d.band_snr_db.toFixed(1) : '-', x.beepSnr?.toFixed(1) ?? '-', x.d?.placeable === false ? `unplaceable: ${x.d.unplaceable_reason}`.slice(0, 70) : verdict(x)]);
  table(detail);
  const group = (label, keyOf) => {
    const keys = [...new Set(pulses.map(keyOf))].sort((a, b) => (typeof a === 'number' ? b - a : a < b ? -1 : 1));
    const rows = [[label, 'beeps', 'found', 'placeable', 'right', 'marginal', 'wrong', 'median_abs_err_ms', 'p90_abs_err_ms', 'max_abs_err_ms (placeable)', 'max_abs_err_ms (all found)']];
    for (const k of keys) {
      const g = pulses.filter((x) => keyOf(x) === k);
      const pl = g.filter((x) => x.d && x.d.placeable !== false).map((x) => Math.abs(x.err)).sort((a, b) => a - b);
      const all = g.filter((x) => x.d).map((x) => Math.abs(x.err)).sort((a, b) => a - b);
      const n = (v) => g.filter((x) => verdict(x) === v).length;
      const q = (a, p) => (a.length ? a[Math.min(a.length - 1, Math.floor(p * a.length))] : null);
      rows.push([k, g.length, g.filter((x) => x.d).length, pl.length, n('right'), n('marginal'), n('wrong'), fmt(q(pl, 0.5)), fmt(q(pl, 0.9)), fmt(pl[pl.length - 1] ?? null), fmt(all[all.length - 1] ?? null)]);
    }
    console.log('');
    table(rows);
  };
  group('beep: drr_db', (x) => x.drr);
  group('beep: snr_db', (x) => x.snr);
  group('beep: codec', (x) => x.codec);
  group('beep: rt60_s', (x) => x.rt60);
  group('beep: drr_db/snr_db', (x) => `${String(x.drr).padStart(3)}/${String(x.snr).padStart(3)}`);
  const measured = pulses.every((x) => x.beepSnr !== null);
  if (measured) group('beep: own band snr (truth)', (x) => (x.beepSnr < 0 ? '   < 0' : x.beepSnr < 6 ? ' 0..6' : x.beepSnr < 12 ? ' 6..12' : '>= 12'));
  const good = pulses.filter((x) => x.drr >= 0 && x.snr >= 0);
  const rev = pulses.filter((x) => x.drr < 0 && x.drr >= -9 && x.snr >= 0);
  const goodOwn = pulses.filter((x) => measured && x.drr >= 0 && x.beepSnr >= 0);
  const revOwn = pulses.filter((x) => measured && x.drr < 0 && x.drr >= -9 && x.beepSnr >= 0);
  const okWithin = (l, s) => l.filter((x) => x.d && x.d.placeable !== false && Math.abs(x.err) <= s).length;
  const wrong = pulses.filter((x) => verdict(x) === 'wrong');
  console.log('');
  table([
    ['beep-route target (issue 11 item 6)', 'measured', 'pass'],
    ['own onset placeable and within 1 ms where drr >= 0 and snr >= 0', `${okWithin(good, 0.001)}/${good.length}`, String(okWithin(good, 0.001) === good.length)],
    ['own onset placeable and within 5 ms for drr -9..0 dB (snr >= 0)', `${okWithin(rev, 0.005)}/${rev.length}`, String(okWithin(rev, 0.005) === rev.length)],
    ['  the same by the beep\'s own band snr >= 0 dB (truth): 1 ms, drr >= 0', measured ? `${okWithin(goodOwn, 0.001)}/${goodOwn.length}` : 'n/a', measured ? String(okWithin(goodOwn, 0.001) === goodOwn.length) : 'n/a'],
    ['  the same by the beep\'s own band snr >= 0 dB (truth): 5 ms, drr -9..0', measured ? `${okWithin(revOwn, 0.005)}/${revOwn.length}` : 'n/a', measured ? String(okWithin(revOwn, 0.005) === revOwn.length) : 'n/a'],
    ['zero beeps placeable and more than 5 ms off', `${wrong.length}${wrong.length ? ` (${wrong.map((x) => x.id).join(', ')})` : ''}`, String(wrong.length === 0)],
  ]);
}

/**
 * The reference's own beep onsets on its own clock (it is the clock: every stream placed by a beep carries its onset
 * error). The generators play each pulse at one reference time for every stream (make-sync-rooms: the lav's beep at
 * the time the room microphone's pulses_src_s map to; make-sync-scenes: the lav's beep with the flash), so the truth is
 * a non-reference stream's true pulses mapped through that stream's true clock (t + offset_s + drift_ppm 1e-6 t).
 */
function refPulseTimes(truth) {
  for (const st of truth.streams) {
    if (isReference(st, truth)) continue;
    const ts = truePulseTimes(st, truth);
    if (ts) return ts.map((t) => t + st.offset_s + (st.drift_ppm ?? 0) * 1e-6 * t);
  }
  return null;
}

function isReference(st, truth) {
  return st.offset_s === 0 && st.drift_ppm === 0 && st.file === truth.files[0];
}

/** Every true beep of each case's reference against the detector's onset there (scanned as `mmprep sync` scans it). */
async function refOnsets(cases) {
  const rows = [];
  for (const c of cases) {
    const st = c.truth.streams.find((s) => isReference(s, c.truth) && s.kind === 'audio');
    const times = st ? refPulseTimes(c.truth) : null;
    if (!times) continue;
    const file = join(c.dir, st.file);
    const p = await probe(file);
    const { windows } = searchWindows(file, p.duration_s ?? null, 60, (c.truth.args ?? []).includes('both') ? 'both' : 'start');
    const dets = (await scanAudioTone(file, windows, { probed: p, stream: st.stream ?? 0 })).windows.flatMap((w) => w.detections);
    for (const t of times) {
      const d = dets.reduce((b, x) => (Math.abs(x.t_s - t) < 0.3 && (!b || Math.abs(x.t_s - t) < Math.abs(b.t_s - t)) ? x : b), null);
      rows.push({ id: c.truth.id, t, d, err: d ? d.t_s - t : null, sd: d?.onset_sd_s ?? null, placeable: Boolean(d) && d.placeable !== false });
    }
  }
  if (rows.length) refOnsetTables(rows);
}

/**
 * Per reference beep: error, sd, |error| / sd, verdict (right = placeable and within 1 ms; overconfident = placeable
 * and more than 3 sd off, or off by more than 1 ms with no sd); then the summary.
 */
function refOnsetTables(rows) {
  const fmt = (v) => (v === null || v === undefined ? '-' : (v * 1000).toFixed(2));
  const over = (x) => x.placeable && (x.sd ? Math.abs(x.err) > 3 * x.sd : Math.abs(x.err) > 0.001);
  const verdict = (x) => (!x.d ? 'not_found' : !x.placeable ? `unplaceable: ${x.d.unplaceable_reason}`.slice(0, 70) : over(x) ? 'overconfident' : Math.abs(x.err) <= 0.001 ? 'right' : 'off > 1 ms, within 3 sd');
  console.log(`
reference onsets: ${rows.length} true beeps in the reference streams (own onset vs truth, ms)`);
  const detail = [['case', 'truth_t_s', 'truth_err_ms', 'onset_sd_ms', 'err/sd', 'placeable', 'verdict / reason']];
  for (const x of rows) detail.push([x.id, x.t.toFixed(3), fmt(x.err), fmt(x.sd), x.placeable && x.sd ? (Math.abs(x.err) / x.sd).toFixed(1) : '-', x.d ? String(x.placeable) : '-', verdict(x)]);
  table(detail);
  const pl = rows.filter((x) => x.placeable);
  const abs = pl.map((x) => Math.abs(x.err)).sort((a, b) => a - b);
  const bad = pl.filter(over);
  console.log('');
  table([
    ['reference onsets (the clock of every stream placed by a beep)', 'measured'],
    ['true beeps: found / placeable', `${rows.length}: ${rows.filter((x) => x.d).length} / ${pl.length}`],
    ['placeable and within 1 ms', `${abs.filter((e) => e <= 0.001).length}/${pl.length}`],
    ['placeable, |error| median / max, ms', abs.length ? `${fmt(abs[abs.length >> 1])} / ${fmt(abs[abs.length - 1])}` : '-'],
    ['placeable and more than 3 sd off (overconfident)', `${bad.length}${bad.length ? ` (${bad.map((x) => `${x.id} ${fmt(x.err)}/${fmt(x.sd)}`).join(', ')})` : ''}`],
  ]);
}

try {
  await accuracy();
  if (!flag('no-speed')) {
  const chunk = join(tmp, 'chunk.m4a');
  ff(['-f', 'lavfi', '-i', 'anoisesrc=r=48000:a=0.05:c=pink:seed=1', '-f', 'lavfi', '-i', "aevalsrc='0.3*sin(2*PI*1000*t)*between(t,5,5.2)':s=48000", '-filter_complex', '[0][1]amix=inputs=2', '-t', '60', '-c:a', 'aac', '-b:a', '96k', chunk]);
  const n = Math.round(HOURS * 60);
  writeFileSync(join(tmp, 'list.txt'), Array.from({ length: n }, () => "file 'chunk.m4a'").join('\n') + '\n');
  const long = join(tmp, 'long.m4a');
  ff(['-f', 'concat', '-safe', '0', '-i', join(tmp, 'list.txt'), '-c', 'copy', long]);
  const dur = (await probe(long)).duration_s;
  const mb = statSync(long).size / 1e6;

  const seek = await best(() => syncSession([{ file: long }], { searchS: 60, ends: 'both' }));
  const e = seek.out.streams[0];
  const full = await best(() => spawnSync(ffmpeg, ['-nostdin', '-v', 'error', '-i', long, '-f', 'null', '-'], { stdio: 'ignore' }));
  const runsSave = RUNS;
  // Whole-file scanning: one run each (the long part).
  const decodeOnly = await (async () => {
    const t = performance.now();
    spawnSync(ffmpeg, ['-nostdin', '-v', 'error', '-i', long, '-map', '0:a:0', '-ar', '16000', '-ac', '1', '-f', 'f32le', '-'], { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 << 30 });
    return (performance.now() - t) / 1000;
  })();
  const p = await probe(long);
  const t0 = performance.now();
  const scan = await scanAudioTone(long, [{ name: 'all', start_s: 0, duration_s: null }], { probed: p });
  const scanS = (performance.now() - t0) / 1000;
  const found = scan.windows[0].detections.length;

  // Video: flash search over a 60 s window of 1280x720 30 fps H.264 (decode to 160 px grey + scan).
  const vid = join(tmp, 'v720.mp4');
  ff(['-f', 'lavfi', '-i', 'mandelbrot=s=1280x720:r=30', '-vf', "drawbox=x=1200:y=20:w=50:h=50:color=white:t=fill:enable='between(t,5,5.2)'", '-t', '60', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', vid]);
  const vt = performance.now();
  const vscan = await scanVideoFlash(vid, [{ name: 'start', start_s: 0, duration_s: 60 }], {});
  const vS = (performance.now() - vt) / 1000;

  const rows = [
    ['what', 'seconds', 'x real time', 'note'],
    [`sync --search-s 60 --ends both (${(dur / 3600).toFixed(2)} h AAC, ${mb.toFixed(0)} MB)`, seek.s.toFixed(2), (dur / seek.s).toFixed(0), `pulses at ${e.pulses.start_s?.toFixed(3)} and ${e.pulses.end_s?.toFixed(3)} s (stream-copied chunks keep their 21 ms AAC priming); target < 2 s`],
    ['peer: ffmpeg decodes the whole file (-f null)', full.s.toFixed(2), (dur / full.s).toFixed(0), `seek is ${(full.s / seek.s).toFixed(0)}x faster`],
    ['whole-file tone scan (decode at 16 kHz + scan)', scanS.toFixed(2), (dur / scanS).toFixed(0), `${found} beeps found (expected ${n}); target >= 500x`],
    ['floor: ffmpeg decode to 16 kHz f32 PCM alone', decodeOnly.toFixed(2), (dur / decodeOnly).toFixed(0), `scan costs ${(scanS / decodeOnly).toFixed(2)}x the decode`],
    ['flash search, 60 s window of 1280x720 30 fps H.264', vS.toFixed(2), (60 / vS).toFixed(1), `${vscan.windows[0].frames} frames, flash at ${vscan.windows[0].detections[0]?.t_s.toFixed(3) ?? 'none'} s`],
  ];
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  console.log(`mmprep bench:sync  (${cpus().length} cores, ${cpus()[0]?.model ?? '?'}, best of ${runsSave} for the first two rows)`);
  for (const r of rows) console.log(r.map((v, c) => v.padEnd(w[c])).join('  '));
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
