#!/usr/bin/env node
/**
 * Counts every ffmpeg and ffprobe start of a command (e.g. `npm test`, one test file, one `mmprep extract`): how
 * docs/benchmarks-history.md "Where the starts and the Node time go" was measured.
 *
 *   node scripts/count-starts.mjs [--log FILE] -- COMMAND [ARGS...]   run COMMAND with logging wrappers, then summarise
 *   node scripts/count-starts.mjs --summarize FILE                      summarise a log written before
 *
 * The wrappers are shell scripts put first on PATH (and in MMPREP_FFMPEG / MMPREP_FFPROBE when those are set); each
 * appends one line (time, binary, parent pid, the parent's command line cut to 120 characters, `|||`, the arguments)
 * and execs the real binary. Because they are scripts, not the binaries, mmprep's toolchain note (which remembers a
 * binary's `-version` by its size and time) does not apply: every `extract` run's two `-version` starts happen and are
 * counted under "version". Exits with COMMAND's exit code.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The binary a bare name resolves to on the current PATH (before the wrappers go first). */
function resolveOnPath(name) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  if (r.status !== 0 || !path) throw new Error(`${name} is not on PATH`);
  return path;
}

/** Writes the two wrappers into dir, logging into log; returns the environment that puts them first. */
function installWrappers(dir, log) {
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
  for (const [name, envName] of [['ffmpeg', 'MMPREP_FFMPEG'], ['ffprobe', 'MMPREP_FFPROBE']]) {
    const real = process.env[envName] || resolveOnPath(name);
    const wrapper = join(dir, name);
    writeFileSync(wrapper, `#!/bin/bash\necho "$EPOCHREALTIME ${name} $PPID $(tr '\\0' ' ' < /proc/$PPID/cmdline | cut -c1-120) ||| $*" >> '${log}'\nexec '${real}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    if (process.env[envName]) env[envName] = wrapper;
  }
  return env;
}

/** What a start did, from its arguments (mmprep's own command shapes: src/media/probe.ts, probe-packets.ts, decode). */
function kindOf(binary, args) {
  const words = args.split(' ').filter(Boolean);
  if (args.trim() === '-version') return 'version';
  if (binary === 'ffmpeg') {
    if (args.startsWith('-hide_banner -h filter')) return 'showinfo query';
    return ['pipe:1', 'pipe:', '-'].includes(words.at(-1)) ? 'decode to a pipe' : 'writes a file';
  }
  if (args.startsWith('-v error -print_format json -show_streams -show_format')) return 'probe';
  return args.includes('packet=') ? 'probe with packets' : 'other probe';
}

/** Who started it, from the parent's command line. */
function starterOf(parent) {
  if (parent.includes('vitest')) return 'vitest worker';
  if (parent.includes('mmprep.js')) return 'mmprep CLI';
  if (parent.includes('scripts/')) return 'scripts/';
  return 'other';
}

function top(counts, n) {
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${String(v).padStart(6)}  ${k}`).join('\n');
}

function summarize(log) {
  const byKind = new Map();
  const probedPaths = new Map();
  const commandLines = new Map();
  const add = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);
  let total = 0;
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const cut = line.indexOf(' ||| ');
    if (cut < 0) continue;
    const [, binary = '', , ...rest] = line.slice(0, cut).split(' ');
    const args = line.slice(cut + 5);
    const kind = kindOf(binary, args);
    total++;
    add(byKind, `${binary}, ${kind}, by ${starterOf(rest.join(' '))}`);
    if (kind === 'probe') add(probedPaths, args.split(' ').at(-1));
    if (binary === 'ffmpeg' && kind !== 'version') add(commandLines, args);
  }
  const repeats = (m) => [...m.values()].reduce((s, v) => s + v - 1, 0);
  const repeated = (m) => new Map([...m].filter(([, v]) => v > 1));
  console.log(`${total} starts (log ${log})\n\n## by binary, kind and starter\n${top(byKind, 40)}`);
  console.log(`\n## mmprep's plain probe: ${[...probedPaths.values()].reduce((s, v) => s + v, 0)} starts for ${probedPaths.size} paths, ${repeats(probedPaths)} repeats\n${top(repeated(probedPaths), 15)}`);
  console.log(`\n## identical ffmpeg command lines run again: ${repeats(commandLines)} repeats\n${top(new Map([...repeated(commandLines)].map(([k, v]) => [k.slice(0, 200), v])), 15)}`);
}

const argv = process.argv.slice(2);
if (argv[0] === '--summarize' && argv[1]) {
  summarize(argv[1]);
} else {
  const dash = argv.indexOf('--');
  if (dash < 0 || dash === argv.length - 1) {
    console.error('usage: node scripts/count-starts.mjs [--log FILE] -- COMMAND [ARGS...] | --summarize FILE');
    process.exit(2);
  }
  const logAt = argv.indexOf('--log');
  const dir = mkdtempSync(join(tmpdir(), 'mmprep-count-starts-'));
  const log = logAt >= 0 && logAt < dash ? argv[logAt + 1] : join(dir, 'log');
  if (existsSync(log)) writeFileSync(log, '');
  const run = spawnSync(argv[dash + 1], argv.slice(dash + 2), { stdio: 'inherit', env: installWrappers(dir, log) });
  if (existsSync(log)) summarize(log);
  else console.log('no ffmpeg or ffprobe start');
  process.exit(run.status ?? 1);
}
