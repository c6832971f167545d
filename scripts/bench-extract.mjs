#!/usr/bin/env node
/**
 * npm run bench:extract — `mmprep extract` over 8 sessions of 1 minute each (a 640x480 H.264 camera file with its own
 * audio track, and a separate 16 kHz lav recording), made at bench time with ffmpeg from the demo sessions
 * (fixtures/demo): the demo's 10 s (with its sync beep and flash) followed by its pulse-free 3-10 s looped to fill the minute.
 *
 * Runs the same manifest with --jobs 1 and with --jobs 2 (each into a fresh folder) and prints wall time, the
 * speed-up of --jobs 2 over --jobs 1 (target >= 1.7x), peak memory of the whole process tree (node + ffmpeg
 * children, sampled every 200 ms from /proc) and media-seconds per wall second. Peak memory is also measured on 4 sessions to
 * show it does not grow with the number of sessions.
 *
 * Options (after `--`): --stages sync,audio,face (default: every stage this build has), --sessions N (default 8),
 * --seconds S (default 60), --keep (keep the temp folder).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'mmprep.js');
const DEMO = join(ROOT, 'fixtures', 'demo');
const { ffmpegBinaries } = await import(join(ROOT, 'dist', 'media', 'ffmpeg-path.js'));
const { loadStages, STAGE_NAMES } = await import(join(ROOT, 'dist', 'dataset', 'extract-stages.js'));

const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const nSessions = Number(arg('--sessions', 8));
const seconds = Number(arg('--seconds', 60));
const table = await loadStages();
const available = STAGE_NAMES.filter((s) => table[s]);
const stages = arg('--stages', available.join(','));
if (!stages) {
  console.error('bench-extract: no stage is available in this build');
  process.exit(1);
}

const ffmpeg = ffmpegBinaries().ffmpeg.path;
const ff = (a) => execFileSync(ffmpeg, ['-nostdin', '-y', '-v', 'error', ...a], { stdio: ['ignore', 'ignore', 'pipe'] });

const dir = mkdtempSync(join(tmpdir(), 'mmprep-bench-extract-'));
const rest = seconds - 10;
const loops = Math.ceil(rest / 7);
process.stderr.write(`bench-extract: making ${Math.min(3, nSessions)} distinct ${seconds} s sessions in ${dir} ...\n`);
for (const s of ['s01', 's02', 's03'].slice(0, nSessions)) {
  // A pulse-free tail (3-10 s of the demo: after its beep and flash), looped to fill the rest of the minute.
  const tailV = join(dir, `${s}_tail.mp4`);
  const tailA = join(dir, `${s}_tail.wav`);
  ff(['-ss', '3', '-t', '7', '-i', join(DEMO, `${s}_camera.mp4`), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-c:a', 'aac', '-b:a', '128k', tailV]);
  ff(['-ss', '3', '-t', '7', '-i', join(DEMO, `${s}_lav.flac`), '-c:a', 'pcm_s16le', tailA]);
  // Video: 640x480 H.264 (25 fps) + AAC; the first 10 s carry the flash and the beep.
  ff([
    '-i', join(DEMO, `${s}_camera.mp4`),
    '-stream_loop', String(loops), '-i', tailV,
    '-filter_complex', `[1:v]trim=duration=${rest},setpts=PTS-STARTPTS[v1];[1:a]atrim=duration=${rest},asetpts=PTS-STARTPTS[a1];[0:v][0:a][v1][a1]concat=n=2:v=1:a=1[v][a];[v]scale=640:480,fps=25[vs]`,
    '-map', '[vs]', '-map', '[a]', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k',
    join(dir, `${s}_camera.mp4`),
  ]);
  ff([
    '-i', join(DEMO, `${s}_lav.flac`),
    '-stream_loop', String(loops), '-i', tailA,
    '-filter_complex', `[1:a]atrim=duration=${rest},asetpts=PTS-STARTPTS[a1];[0:a][a1]concat=n=2:v=0:a=1[a]`,
    '-map', '[a]', '-c:a', 'flac', join(dir, `${s}_lav.flac`),
  ]);
}

function writeManifest(n) {
  const p = join(dir, `manifest-${n}.csv`);
  const rows = Array.from({ length: n }, (_, i) => {
    const src = ['s01', 's02', 's03'][i % 3];
    return `bench${String(i + 1).padStart(2, '0')},spk${i % 3},${src}_camera.mp4,${src}_lav.flac`;
  });
  writeFileSync(p, 'session_id,speaker_id,video,lav_audio\n' + rows.join('\n') + '\n');
  return p;
}

/**
 * Resident memory of a process and all its descendants, in bytes, from /proc (Linux): one pass over /proc/<pid>/stat
 * in this process. Spawning `ps` ten times a second instead cost about 5 % of a core, which the --jobs 2 run (both
 * cores busy) paid and the --jobs 1 run (a core spare) did not: the measurement itself lowered the speed-up.
 */
const PAGE = (() => {
  try {
    return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;
  } catch {
    return 4096;
  }
})();
function treeRss(pid) {
  let names;
  try {
    names = readdirSync('/proc');
  } catch {
    return 0;
  }
  const kids = new Map();
  const rss = new Map();
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    let st;
    try {
      st = readFileSync(`/proc/${n}/stat`, 'latin1');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name (which may hold spaces): state ppid ... rss is field 24 of the whole line.
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    const p = Number(n);
    const pp = Number(f[1]);
    rss.set(p, Number(f[21]) * PAGE);
    if (!kids.has(pp)) kids.set(pp, []);
    kids.get(pp).push(p);
  }
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    total += rss.get(p) ?? 0;
    stack.push(...(kids.get(p) ?? []));
  }
  return total;
}

function hwm(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function run(manifest, jobs, extra = []) {
  const out = join(dir, `out-${jobs}-${manifest.replace(/\D/g, '')}-${extra.join('')}`);
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'extract', manifest, '-o', out, '--jobs', String(jobs), '--only', stages, '--progress', 'none', ...SYNC_OPTS, ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  let peakTree = 0;
  let peakNode = 0;
  const timer = setInterval(() => {
    peakTree = Math.max(peakTree, treeRss(child.pid));
    peakNode = Math.max(peakNode, hwm(child.pid));
  }, 200);
  const code = await new Promise((r) => child.on('close', r));
  clearInterval(timer);
  const wall = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`extract --jobs ${jobs} exited with ${code}`);
  const summary = JSON.parse(stdout);
  return { jobs, wall, media_s: summary.media_s, peakTree, peakNode, faceWorkers: summary.face_workers, sessions: summary.sessions };
}

// The sync stage (at the time of writing) reports the one flash of these upscaled 640x480 files as several
// candidates at the same time and calls it ambiguous; --pick strongest takes the strongest, as a user would.
const SYNC_OPTS = stages.includes('sync') ? ['--pick', 'strongest'] : [];
const mb = (b) => (b / 1048576).toFixed(0);
try {
  const m8 = writeManifest(nSessions);
  const m4 = writeManifest(Math.max(1, Math.floor(nSessions / 2)));
  process.stderr.write(`bench-extract: stages ${stages}; ${nSessions} sessions x ${seconds} s; ${availableParallelism()} cores\n`);
  const rows = [];
  rows.push({ label: '--jobs 1 --face-workers 1', ...(await run(m8, 1, ['--face-workers', '1'])) });
  rows.push({ label: '--jobs 2 (face-workers 1)', ...(await run(m8, 2)) });
  if (stages.includes('face')) rows.push({ label: '--jobs 1 (default face-workers 2)', ...(await run(m8, 1)) });
  const half = { label: `--jobs 2, ${Math.floor(nSessions / 2)} sessions`, ...(await run(m4, 2)) };
  const base = rows[0].wall;
  console.log(`\nmmprep extract: ${nSessions} sessions x ${seconds} s (640x480 H.264 25 fps + AAC camera, 16 kHz FLAC lav), stages ${stages}, ${availableParallelism()} cores`);
  console.log('| run | sessions | wall s | speed-up vs --jobs 1 | media s / wall s | peak RSS node MB | peak RSS tree MB |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of [...rows, half]) {
    console.log(
      `| ${r.label} | ${r.sessions} | ${r.wall.toFixed(1)} | ${r.sessions === nSessions ? (base / r.wall).toFixed(2) + 'x' : '-'} | ${(r.media_s / r.wall).toFixed(2)} | ${mb(r.peakNode)} | ${mb(r.peakTree)} |`,
    );
  }
  console.log(`\ntarget: --jobs 2 >= 1.7x --jobs 1 (measured ${(base / rows[1].wall).toFixed(2)}x); peak memory flat in the number of sessions (${mb(half.peakTree)} MB for ${half.sessions} vs ${mb(rows[1].peakTree)} MB for ${nSessions})`);
} finally {
  if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
}
