#!/usr/bin/env node
/**
 * Where a thread's samples went, from a V8 .cpuprofile (`node --cpu-prof --cpu-prof-dir=DIR bin/mmprep.js face ...`
 * writes one per thread: the main thread and each face worker): self time by part (WASM code, tfjs-core,
 * tfjs-converter, tfjs-backend-wasm, Human, garbage collection, each of mmprep's dist/ files, Node's internals) and
 * the top functions of mmprep, Human and Node. `node scripts/cpuprofile-split.mjs FILE.cpuprofile [--top N]`.
 * V8's profiler samples on wall-clock ticks, so on a loaded machine the shares are approximate. piscina's
 * atomicsWaitLoop (a worker blocked in Atomics.wait for its next task: waiting, not running) is shown apart and left
 * out of the shares, like the idle samples.
 */
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/cpuprofile-split.mjs FILE.cpuprofile [--top N]');
  process.exit(2);
}
const topAt = process.argv.indexOf('--top');
const TOP = topAt > 0 ? Number(process.argv[topAt + 1]) : 20;
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));

/** The part a sampled function belongs to. */
function part({ url, functionName }) {
  if (functionName === '(idle)' || functionName === 'atomicsWaitLoop') return 'waiting';
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(program)') return 'program (V8 outside JS)';
  if (url.startsWith('wasm://') || url.endsWith('.wasm') || /^wasm-function|^\$/.test(functionName)) return 'wasm';
  const tf = /@tensorflow\/(tfjs-[a-z-]+)/.exec(url);
  if (tf) return tf[1];
  if (url.includes('@vladmandic/human')) return 'human';
  if (url.includes('/node_modules/')) return `other package: ${url.split('/node_modules/').pop().split('/')[0]}`;
  if (url.includes('/dist/')) return `mmprep ${url.split('/dist/').pop()}`;
  if (url.startsWith('node:') || url === '') return `node: ${url || functionName}`;
  return `other: ${url}`;
}

const parts = new Map();
const fns = new Map();
let running = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const n = byId.get(prof.samples[i]);
  const dt = prof.timeDeltas[i] ?? 0;
  const p = part(n.callFrame);
  parts.set(p, (parts.get(p) ?? 0) + dt);
  if (p !== 'waiting') running += dt;
  if (/^(mmprep|human|node)/.test(p)) {
    const k = `${p}  ${n.callFrame.functionName || '(anonymous)'}:${n.callFrame.lineNumber + 1}`;
    fns.set(k, (fns.get(k) ?? 0) + dt);
  }
}
const ms = (us) => (us / 1000).toFixed(0).padStart(7);
const share = (us) => `${((100 * us) / running).toFixed(1).padStart(5)} %`;
console.log(`${file}: ${ms(running).trim()} ms of samples running, ${ms(parts.get('waiting') ?? 0).trim()} ms waiting`);
let rest = 0;
for (const [p, us] of [...parts].sort((a, b) => b[1] - a[1])) {
  if (p === 'waiting') continue;
  if (us >= running / 200) console.log(`${p.padEnd(50)} ${ms(us)} ms ${share(us)}`);
  else rest += us;
}
console.log(`${'the rest (parts under 0.5 % each)'.padEnd(50)} ${ms(rest)} ms ${share(rest)}`);
console.log(`top functions (mmprep, Human, Node):`);
for (const [k, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${k.slice(0, 90).padEnd(90)} ${ms(us)} ms ${share(us)}`);
