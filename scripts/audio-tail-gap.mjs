#!/usr/bin/env node
// The tail of `mmprep audio` (issue 15): wall ms from the timeline's `records done` mark, and from its `exit` mark, to
// the child process's close, as the shell sees the command end. Interleaves builds run by run, so load changes weigh
// on each alike; prints each build's runs and medians. The marks come from src/common/timeline.ts (MMPREP_TIMELINE=1).
//
//   node scripts/audio-tail-gap.mjs --runs 10 --input long.wav head=bin/mmprep.js base=/tmp/base/bin/mmprep.js
//
// Each run writes OUT.jsonl and OUT.json in the current folder (--out OUT, default tail-gap), overwritten run by run.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '10' }, input: { type: 'string' }, out: { type: 'string', default: 'tail-gap' } },
});
const runs = Number(values.runs);
const builds = positionals.map((p) => p.split('='));
if (!values.input || builds.length === 0 || builds.some((b) => b.length !== 2) || !(runs >= 1)) {
  console.error('audio-tail-gap: usage: node scripts/audio-tail-gap.mjs --input FILE [--runs N] [--out NAME] LABEL=path/to/bin/mmprep.js ...');
  process.exit(2);
}

const MARKS = ['records done', 'exit'];

/** One run: ms from each mark's arrival on stderr to the child's close. */
function run(bin) {
  return new Promise((resolve, reject) => {
    const args = [bin, 'audio', values.input, '-o', `${values.out}.jsonl`, '--summary', `${values.out}.json`];
    const child = spawn(process.execPath, args, { env: { ...process.env, MMPREP_TIMELINE: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    const seen = {};
    let text = '';
    child.stderr.on('data', (d) => {
      text += d;
      for (const m of MARKS) if (!(m in seen) && text.includes(`main ${m} wall`)) seen[m] = performance.now();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const end = performance.now();
      if (code !== 0 || MARKS.some((m) => !(m in seen))) return reject(new Error(`audio-tail-gap: ${bin} exited ${code} or wrote no timeline marks:\n${text}`));
      resolve(Object.fromEntries(MARKS.map((m) => [m, end - seen[m]])));
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const results = Object.fromEntries(builds.map(([label]) => [label, []]));
try {
  for (let i = 0; i < runs; i++) for (const [label, bin] of i % 2 ? [...builds].reverse() : builds) results[label].push(await run(bin));
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
for (const [label, rs] of Object.entries(results)) {
  const line = MARKS.map((m) => `${m} -> close: ${rs.map((r) => r[m].toFixed(1)).join(' ')} (median ${median(rs.map((r) => r[m])).toFixed(1)} ms)`);
  console.log(`${label}: ${line.join('; ')}`);
}
