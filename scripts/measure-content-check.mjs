#!/usr/bin/env node
/**
 * Runs `mmprep sync` over the cases of scripts/make-content-pairs.mjs and tabulates sync's content check
 * (`content_mismatch`, docs/sync.md "Content check"): per condition, genuine pairs warned (false alarms), other-session
 * pairs warned (hits), genuine pairs placed by the wrong beep warned, with the z the warning states.
 *
 *   node scripts/measure-content-check.mjs DIR [--cli PATH_TO_mmprep.js] [--json OUT.json]
 *
 * --cli: another build's bin/mmprep.js (default: this checkout's bin/mmprep.js, which runs dist/: build first).
 * Rows: case, kind, condition, exit code, how the second sound was placed, its offset error against the truth (ms;
 * for another session's file: against where its beep puts it), warned or not, the warning's z and overlap (s).
 * Runs one case at a time (each `mmprep sync` decodes up to 3 min of 48 kHz audio).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (n, d) => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const DIR = process.argv[2];
const CLI = resolve(arg('cli', join(ROOT, 'bin', 'mmprep.js')));
const JSON_OUT = arg('json', null);
if (!DIR || !existsSync(DIR)) {
  console.error('usage: node scripts/measure-content-check.mjs DIR [--cli PATH_TO_mmprep.js] [--json OUT.json]');
  process.exit(2);
}

function runCase(dir) {
  const t = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
  let code = 0;
  let stderr = '';
  try {
    execFileSync(process.execPath, [CLI, 'sync', ...t.files, '-o', 'measured.json', '--quiet', ...t.args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    code = e.status ?? -1;
    stderr = String(e.stderr ?? '').trim().split('\n')[0];
  }
  const row = { id: t.id, kind: t.kind, condition: t.condition, code, method: null, err_ms: null, warned: false, z: [], overlap_s: [], matches: null, stderr };
  if (code !== 0) return row;
  const s = JSON.parse(readFileSync(join(dir, 'measured.json'), 'utf8')).streams.find((x) => x.file === t.files[1]);
  row.method = s.method;
  row.err_ms = s.offset_s === null ? null : Math.round((s.offset_s - t.streams[1].offset_s) * 1e6) / 1e3;
  for (const w of s.warnings ?? []) {
    const m = /(\d+) s of overlapping audio about [\d.]+ s, cross-correlation z (-?[\d.]+), (\S+) or more/.exec(w.message ?? '');
    if (w.code === 'content_mismatch' && m) {
      row.z.push(Number(m[2]));
      row.overlap_s.push(Number(m[1]));
      // A build that reports every reading (threshold raised) states its threshold as 1000000000: warned by the rule's 7.
      if (Number(m[3]) < 1e6 || Number(m[2]) < 7) row.warned = true;
    }
    if (w.code === 'probe_matches') row.matches = JSON.parse(w.message);
  }
  if (row.matches?.length) row.warned = false;
  return row;
}

const rows = readdirSync(DIR).filter((d) => existsSync(join(DIR, d, 'truth.json'))).sort().map((d) => {
  const r = runCase(join(DIR, d));
  console.log([r.id, r.code, r.method, r.err_ms, r.warned ? 'WARNED' : '-', r.z.join('/'), r.overlap_s.join('/'), r.matches ? JSON.stringify(r.matches.map((m) => Math.round(m.z * 10) / 10)) : '', r.stderr].join('\t'));
  return r;
});
const by = new Map();
for (const r of rows) {
  const k = `${r.kind}\t${r.condition}`;
  const e = by.get(k) ?? { n: 0, warned: 0, z: [] };
  e.n++;
  if (r.warned) e.warned++;
  e.z.push(...r.z);
  by.set(k, e);
}
console.log('\nkind\tcondition\twarned/total\tz');
for (const [k, e] of [...by].sort()) console.log(`${k}\t${e.warned}/${e.n}\t${e.z.map((z) => z.toFixed(1)).join(' ')}`);
for (const kind of ['genuine', 'other', 'wrong_beep']) {
  const rs = rows.filter((r) => r.kind === kind);
  console.log(`${kind}: ${rs.filter((r) => r.warned).length}/${rs.length} warned`);
}
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(rows, null, 2) + '\n');
