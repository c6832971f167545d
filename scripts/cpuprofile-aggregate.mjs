#!/usr/bin/env node
/**
 * Sums the self time of many V8 .cpuprofile files (scripts/cpu-profile-preload.cjs writes one per process and thread):
 * by package or dist/ folder, by file and by function. Idle samples are left out.
 *
 *   node scripts/cpuprofile-aggregate.mjs DIR [--argv REGEX] [--top N]
 *
 * --argv keeps only the profiles whose recorded arguments match (e.g. `mmprep.js` for the CLI children a test
 * started). The checkout's path is cut from file names, so dist/... and node_modules/... read the same in any clone.
 * V8 samples on wall-clock ticks: on a loaded machine the times are inflated, the shares roughly right.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : fallback);
const dir = args[0];
if (!dir || dir.startsWith('--')) {
  console.error('usage: node scripts/cpuprofile-aggregate.mjs DIR [--argv REGEX] [--top N]');
  process.exit(2);
}
const wanted = new RegExp(option('--argv', ''));
const TOP = Number(option('--top', 30));
const root = new URL('..', import.meta.url).pathname;

/** A sample's place: the package (node_modules/x or @scope/x), dist/ or src/ folder, Node's module loader or the rest. */
function partOf(url) {
  if (url.startsWith('node_modules/')) {
    const parts = url.split('/');
    return parts.slice(0, parts[1].startsWith('@') ? 3 : 2).join('/');
  }
  if (url.startsWith('dist/') || url.startsWith('src/')) return url.split('/').slice(0, 2).join('/');
  if (url.startsWith('node:internal/modules')) return 'node: module loading';
  if (url.startsWith('node:')) return 'node: other';
  if (url.startsWith('test/') || url.startsWith('scripts/')) return `${url.split('/')[0]}/`;
  return url;
}

const byPart = new Map();
const byFile = new Map();
const byFunction = new Map();
const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
let profiles = 0;
let total = 0;
for (const name of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  let profile;
  try {
    profile = JSON.parse(readFileSync(join(dir, name), 'utf8'));
  } catch {
    continue; // a profile cut short (its process killed while writing)
  }
  if (!wanted.test(JSON.stringify(profile.argv ?? []))) continue;
  profiles++;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = nodes.get(profile.samples[i]).callFrame;
    if (frame.functionName === '(idle)') continue;
    const seconds = (profile.timeDeltas[i] ?? 0) / 1e6;
    const url = frame.url.replace(/^file:\/\//, '').replace(root, '') || `(${frame.functionName})`;
    total += seconds;
    add(byPart, partOf(url), seconds);
    add(byFile, url, seconds);
    add(byFunction, `${frame.functionName || '(anonymous)'} ${url}:${frame.lineNumber + 1}`, seconds);
  }
}
const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([k, v]) => `${v.toFixed(1).padStart(8)}  ${k}`).join('\n');
console.log(`${profiles} profiles, ${total.toFixed(1)} s sampled (not idle)`);
console.log(`\n## by package or folder\n${top(byPart)}\n\n## by file\n${top(byFile)}\n\n## by function\n${top(byFunction)}`);
