#!/usr/bin/env node
/**
 * npm run bench:dataset — dataset build and validate throughput on 200 synthetic session-minutes of features
 * (20 sessions x 10 min in the pinned extract layout: audio.jsonl at 100 Hz, face.jsonl at 25 fps without landmarks,
 * made by writeSyntheticSession and cached in .bench/dataset/). Segments: fixed 4 s windows (the synthetic sessions
 * have no transcripts), default features, face resampled onto the audio grid.
 *
 * Prints records/s and MB/s of JSONL written (build; target >= 50 MB/s) and MB/s of JSONL checked (validate; target
 * >= 100 MB/s), each beside its floor peer: the same bytes through plain JSON.parse (+ JSON.stringify for build) in
 * one thread, which no JSONL tool in Node can beat without skipping the parse. Peak RSS of builds over 10 and 20
 * sessions shows whether memory is flat in the number of sessions.
 *
 * Env: BENCH_MINUTES (default 200), BENCH_SESSIONS (default 20).
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lib = await import(join(ROOT, 'dist', 'index.js'));
const MINUTES = Number(process.env.BENCH_MINUTES ?? 200);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 20);
const PER = (MINUTES * 60) / SESSIONS;
const BENCH = join(ROOT, '.bench', 'dataset');
const FEAT = join(BENCH, `features-${MINUTES}m-${SESSIONS}s`);
const OUT = join(BENCH, 'release');

mkdirSync(BENCH, { recursive: true });
const ids = Array.from({ length: SESSIONS }, (_, i) => `b${String(i).padStart(3, '0')}`);
const manifest = join(BENCH, `manifest-${SESSIONS}.csv`);
writeFileSync(manifest, ['session_id,speaker_id,video,lav_audio', ...ids.map((id, i) => `${id},spk${i % 7},${id}_camera.mp4,${id}_lav.flac`)].join('\n') + '\n');
const half = join(BENCH, `manifest-${SESSIONS / 2}.csv`);
writeFileSync(half, ['session_id,speaker_id,video,lav_audio', ...ids.slice(0, SESSIONS / 2).map((id, i) => `${id},spk${i % 7},${id}_camera.mp4,${id}_lav.flac`)].join('\n') + '\n');

if (!existsSync(join(FEAT, ids[ids.length - 1], 'meta.json'))) {
  const t0 = performance.now();
  process.stderr.write(`making ${MINUTES} session-minutes of synthetic features in ${FEAT} ...\n`);
  for (const [i, id] of ids.entries()) await lib.writeSyntheticSession(FEAT, { session_id: id, duration_s: PER, video_offset_s: -0.37, faceGaps: [[PER * 0.3, PER * 0.35]], seed: 100 + i });
  process.stderr.write(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
const dirBytes = (d, re) => readdirSync(d).filter((f) => re.test(f)).reduce((a, f) => a + statSync(join(d, f)).size, 0);
let inBytes = 0;
for (const id of ids) inBytes += dirBytes(join(FEAT, id), /\.jsonl$/);

// ---- build ----
rmSync(OUT, { recursive: true, force: true });
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
let t0 = performance.now();
let c0 = cpu();
const r = await lib.buildDataset(manifest, { features: FEAT, out: OUT, segments: 'fixed:4' });
const buildS = (performance.now() - t0) / 1000;
const buildCpu = cpu() - c0;
const outBytes = r.manifest.files.reduce((a, f) => a + f.uncompressed_bytes, 0);
const records = r.manifest.counts.records;

// ---- validate ----
t0 = performance.now();
c0 = cpu();
const v = await lib.validateDataset(OUT);
const valS = (performance.now() - t0) / 1000;
const valCpu = cpu() - c0;
if (!v.ok) throw new Error('bench release did not validate: ' + lib.formatReport(v));

// ---- floor peers: one-thread JSON.parse (+ stringify) over the same bytes ----
async function parseAll(files, stringify) {
  let n = 0;
  for (const f of files) {
    let rest = '';
    for await (const chunk of createReadStream(f, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      const text = rest + chunk;
      let s = 0;
      let nl;
      while ((nl = text.indexOf('\n', s)) >= 0) {
        const o = JSON.parse(text.slice(s, nl));
        if (stringify) n += JSON.stringify(o).length;
        else n++;
        s = nl + 1;
      }
      rest = text.slice(s);
    }
  }
  return n;
}
const dataFiles = r.manifest.files.map((f) => join(OUT, f.path));
t0 = performance.now();
c0 = cpu();
await parseAll(dataFiles, true);
const floorBuildS = (performance.now() - t0) / 1000;
const floorBuildCpu = cpu() - c0;
t0 = performance.now();
c0 = cpu();
await parseAll(dataFiles, false);
const floorValS = (performance.now() - t0) / 1000;
const floorValCpu = cpu() - c0;

const mb = (b) => b / 1e6;
const rows = [
  ['build', `${records} records`, `${(records / buildS).toFixed(0)} records/s`, `${(mb(outBytes) / buildS).toFixed(1)} MB/s written`, `${buildS.toFixed(2)} s`, `${(mb(outBytes) / buildCpu).toFixed(1)} MB/CPU-s`, `floor JSON.parse+stringify ${(mb(outBytes) / floorBuildS).toFixed(1)} MB/s, ${(mb(outBytes) / floorBuildCpu).toFixed(1)} MB/CPU-s`, `${(floorBuildS / buildS).toFixed(2)}x floor`, '>= 50 MB/s'],
  ['validate', `${v.records} records`, `${(v.records / valS).toFixed(0)} records/s`, `${(mb(outBytes) / valS).toFixed(1)} MB/s checked`, `${valS.toFixed(2)} s`, `${(mb(outBytes) / valCpu).toFixed(1)} MB/CPU-s`, `floor JSON.parse ${(mb(outBytes) / floorValS).toFixed(1)} MB/s, ${(mb(outBytes) / floorValCpu).toFixed(1)} MB/CPU-s`, `${(floorValS / valS).toFixed(2)}x floor`, '>= 100 MB/s'],
];
console.log(`dataset bench: ${MINUTES} session-minutes (${SESSIONS} sessions), features in ${mb(inBytes).toFixed(0)} MB, release ${mb(outBytes).toFixed(0)} MB of JSONL in ${r.manifest.files.length} files`);
console.log(`load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')} on ${(await import('node:os')).availableParallelism()} cores`);
console.log('| stage | records | records/s | MB/s (wall) | wall | MB per CPU-second (all threads) | peer (one thread) | ratio (wall) | target |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
// ---- memory: peak RSS of a build over half the sessions and over all of them (separate processes) ----
function peakRss(man) {
  const code = `const l = await import(${JSON.stringify(join(ROOT, 'dist', 'index.js'))}); await l.buildDataset(${JSON.stringify(man)}, { features: ${JSON.stringify(FEAT)}, out: ${JSON.stringify(join(BENCH, 'mem-release'))}, segments: 'fixed:4' }); console.log(process.resourceUsage().maxRSS);`;
  const file = join(BENCH, 'peak-rss.mjs');
  writeFileSync(file, code);
  return Number(execFileSync(process.execPath, [file], { encoding: 'utf8' }).trim()) / 1024;
}
const rssHalf = peakRss(half);
const rssAll = peakRss(manifest);
rmSync(join(BENCH, 'mem-release'), { recursive: true, force: true });

console.log(`peak RSS of a build: ${SESSIONS / 2} sessions ${rssHalf.toFixed(0)} MB, ${SESSIONS} sessions ${rssAll.toFixed(0)} MB`);
