#!/usr/bin/env node
/**
 * npm run bench:agreement — 1,000,000 ratings (200,000 targets x 5 raters, 1-7 Likert with rater bias, long CSV on
 * disk in a temp dir, with a dimension-less layout and an order column): time and peak memory of
 * `readRatings` + `analyzeAgreement` (every coefficient and diagnostic), each measured in a fresh child process.
 * Peers on the same file: a naive JavaScript approach (csv-parse records as objects with per-record info, a
 * Map-of-Maps table, Krippendorff's alpha over the full coincidence matrix), and a numpy two-way ANOVA ICC
 * (python3 csv + numpy, the core of what pingouin.intraclass_corr does) where python3 with numpy exists.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const N_TARGETS = Number(process.env.BENCH_TARGETS ?? 200_000);
const K = 5;

function lcg(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

async function makeCsv(path) {
  const rnd = lcg(12345);
  const out = createWriteStream(path);
  out.write('target,rater,rating,order\n');
  let buf = '';
  let order = 0;
  for (let t = 0; t < N_TARGETS; t++) {
    const truth = 1 + rnd() * 6;
    for (let r = 0; r < K; r++) {
      const bias = (r - 2) * 0.3;
      const v = Math.min(7, Math.max(1, Math.round(truth + bias + (rnd() - 0.5) * 2.5)));
      buf += `clip_${t},rater_${r},${v},${order++}\n`;
    }
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

const OURS = `
import { readRatings, analyzeAgreement } from ${JSON.stringify(join(ROOT, 'dist', 'index.js'))};
const t0 = performance.now();
const table = await readRatings(process.argv[2]);
const t1 = performance.now();
const res = analyzeAgreement(table);
const t2 = performance.now();
const d = res.dimensions[0];
const cu = process.cpuUsage();
console.log(JSON.stringify({ parse_s: (t1 - t0) / 1000, analyze_s: (t2 - t1) / 1000, total_s: (t2 - t0) / 1000,
  cpu_s: (cu.user + cu.system) / 1e6, peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  icc2: d.icc.rows[1].icc, alpha_interval: d.krippendorff_alpha.interval.alpha, alpha_ordinal: d.krippendorff_alpha.ordinal.alpha,
  fleiss: d.fleiss_kappa.kappa, raters: d.raters.length, targets_ranked: d.targets.length }));
`;

const OURS_REML = `
import { readRatings, analyzeAgreement } from ${JSON.stringify(join(ROOT, 'dist', 'index.js'))};
const t0 = performance.now();
const table = await readRatings(process.argv[2]);
const res = analyzeAgreement(table, { missing: 'model' });
const t2 = performance.now();
const cu = process.cpuUsage();
console.log(JSON.stringify({ total_s: (t2 - t0) / 1000, cpu_s: (cu.user + cu.system) / 1e6, peak_rss_mb: process.resourceUsage().maxRSS / 1024, icc2: res.dimensions[0].icc.rows[1].icc }));
`;

// A straightforward implementation as one would write it first: objects per record, csv-parse's info for line
// numbers, nested Maps, alpha from the full coincidence matrix over distinct values.
const NAIVE = `
import { parse } from ${JSON.stringify(join(ROOT, 'node_modules', 'csv-parse', 'lib', 'index.js'))};
import { createReadStream } from 'node:fs';
const t0 = performance.now();
const byTarget = new Map();
const raters = new Set();
for await (const { record } of createReadStream(process.argv[2]).pipe(parse({ columns: true, bom: true, info: true }))) {
  const v = Number(record.rating);
  if (!Number.isFinite(v)) throw new Error('bad');
  let m = byTarget.get(record.target);
  if (!m) byTarget.set(record.target, (m = new Map()));
  m.set(record.rater, v);
  raters.add(record.rater);
}
const R = [...raters];
const rows = [...byTarget.values()].filter((m) => m.size === R.length).map((m) => R.map((r) => m.get(r)));
const n = rows.length, k = R.length;
const gm = rows.flat().reduce((a, b) => a + b, 0) / (n * k);
const rm = rows.map((r) => r.reduce((a, b) => a + b, 0) / k);
const cm = R.map((_, j) => rows.reduce((a, r) => a + r[j], 0) / n);
let ssb = 0, ssj = 0, sse = 0;
rows.forEach((r, i) => { ssb += k * (rm[i] - gm) ** 2; r.forEach((x, j) => { sse += (x - rm[i] - cm[j] + gm) ** 2; }); });
cm.forEach((c) => (ssj += n * (c - gm) ** 2));
const msb = ssb / (n - 1), msj = ssj / (k - 1), mse = sse / ((n - 1) * (k - 1));
const icc2 = (msb - mse) / (msb + (k - 1) * mse + (k * (msj - mse)) / n);
// Krippendorff interval alpha from the coincidence matrix
const vals = [...new Set(rows.flat())].sort((a, b) => a - b);
const o = vals.map(() => vals.map(() => 0));
for (const m of byTarget.values()) {
  const u = [...m.values()];
  if (u.length < 2) continue;
  for (let i = 0; i < u.length; i++) for (let j = 0; j < u.length; j++) if (i !== j) o[vals.indexOf(u[i])][vals.indexOf(u[j])] += 1 / (u.length - 1);
}
const nc = o.map((r) => r.reduce((a, b) => a + b, 0));
const N = nc.reduce((a, b) => a + b, 0);
let dO = 0, dE = 0;
for (let c = 0; c < vals.length; c++) for (let kk = 0; kk < vals.length; kk++) {
  const d2 = (vals[c] - vals[kk]) ** 2;
  dO += o[c][kk] * d2;
  dE += nc[c] * nc[kk] * d2;
}
const alpha = 1 - (N - 1) * dO / dE;
const t1 = performance.now();
const cu = process.cpuUsage();
console.log(JSON.stringify({ total_s: (t1 - t0) / 1000, cpu_s: (cu.user + cu.system) / 1e6, peak_rss_mb: process.resourceUsage().maxRSS / 1024, icc2, alpha_interval: alpha }));
`;

const NUMPY = `
import csv, sys, time, resource
import numpy as np
t0 = time.perf_counter()
tid, rid, vals = {}, {}, []
ti, ri = [], []
with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:
    rd = csv.reader(f); h = next(rd)
    a, b, c = h.index('target'), h.index('rater'), h.index('rating')
    for row in rd:
        ti.append(tid.setdefault(row[a], len(tid))); ri.append(rid.setdefault(row[b], len(rid))); vals.append(float(row[c]))
x = np.full((len(tid), len(rid)), np.nan); x[np.array(ti), np.array(ri)] = np.array(vals)
x = x[~np.isnan(x).any(axis=1)]
n, k = x.shape; gm = x.mean(); rm = x.mean(axis=1); cm = x.mean(axis=0)
msb = k * ((rm - gm) ** 2).sum() / (n - 1); msj = n * ((cm - gm) ** 2).sum() / (k - 1)
mse = ((x - rm[:, None] - cm[None, :] + gm) ** 2).sum() / ((n - 1) * (k - 1))
icc2 = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n)
t1 = time.perf_counter()
ru = resource.getrusage(resource.RUSAGE_SELF)
print('{"total_s": %r, "cpu_s": %r, "peak_rss_mb": %r, "icc2": %r}' % (t1 - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, float(icc2)))
`;

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || 'failed').trim().split('\n').filter((l) => /Error/.test(l)).slice(-1)[0] ?? 'failed' };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const dir = mkdtempSync(join(tmpdir(), 'mmprep-bench-agreement-'));
try {
  const csv = join(dir, 'ratings.csv');
  const tg = performance.now();
  await makeCsv(csv);
  const size = statSync(csv).size;
  console.log(`mmprep agreement benchmark: ${N_TARGETS * K} ratings (${N_TARGETS} targets x ${K} raters), long CSV ${(size / 1e6).toFixed(1)} MB (made in ${((performance.now() - tg) / 1000).toFixed(1)} s), Node ${process.version}, ${cpus().length} cores`);
  const scripts = { ours: OURS, reml: OURS_REML, naive: NAIVE };
  for (const [k, src] of Object.entries(scripts)) writeFileSync(join(dir, `${k}.mjs`), src);
  writeFileSync(join(dir, 'peer_numpy.py'), NUMPY);
  const reps = Number(process.env.BENCH_REPS ?? 3);
  const best = (cmd, args) => {
    let b = null;
    for (let i = 0; i < reps; i++) {
      const r = run(cmd, args);
      if (r.error) return r;
      if (!b || r.total_s < b.total_s) b = r;
    }
    return b;
  };
  const ours = best(process.execPath, [join(dir, 'ours.mjs'), csv]);
  const reml = best(process.execPath, [join(dir, 'reml.mjs'), csv]);
  const naive = best(process.execPath, ['--max-old-space-size=4096', join(dir, 'naive.mjs'), csv]);
  const numpy = best('python3', [join(dir, 'peer_numpy.py'), csv]);
  const n = N_TARGETS * K;
  const line = (name, r, what) =>
    r.error
      ? `| ${name} | ${what} | failed: ${r.error} | | | | |`
      : `| ${name} | ${what} | ${r.total_s.toFixed(2)} | ${r.cpu_s.toFixed(2)} | ${(n / r.total_s / 1e6).toFixed(2)} | ${r.peak_rss_mb.toFixed(0)} | ${ours.error || r === ours ? '1.00' : (r.total_s / ours.total_s).toFixed(2)} |`;
  console.log(`\nbest of ${reps} runs, each in a fresh process; load average before: ${loadavg().map((v) => v.toFixed(1)).join(' ')}\n`);
  console.log('| implementation | computes | wall s | CPU s (process, incl. start-up) | M ratings/s (wall) | peak RSS MB | wall vs mmprep |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  console.log(line('mmprep readRatings + analyzeAgreement', ours, 'parse, 6 ICCs + CIs, 4 alphas, Fleiss, Cohen x3, % agreement, rater + target diagnostics'));
  console.log(line('mmprep, --missing model (REML)', reml, 'the same with REML variance components'));
  console.log(line('naive JS (csv-parse objects + info, Map of Maps)', naive, 'ICC2 + interval alpha only'));
  console.log(line('python3 csv + numpy (pingouin core)', numpy, 'ICC2 only'));
  if (!ours.error) {
    console.log(`\nparse ${ours.parse_s.toFixed(2)} s + analyse ${ours.analyze_s.toFixed(2)} s; ICC2 ${ours.icc2.toFixed(6)}, alpha(interval) ${ours.alpha_interval.toFixed(6)}` +
      (naive.error ? '' : ` (naive: ${naive.icc2.toFixed(6)}, ${naive.alpha_interval.toFixed(6)})`) + (numpy.error ? '' : ` (numpy ICC2 ${numpy.icc2.toFixed(6)})`));
    const okT = ours.total_s < 3;
    const okM = ours.peak_rss_mb < 500;
    console.log(`budget: < 3 s ${okT ? 'met' : 'MISSED'}, < 500 MB ${okM ? 'met' : 'MISSED'}`);
    if (!okT || !okM) process.exitCode = 1;
  } else process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
