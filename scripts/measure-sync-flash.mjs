#!/usr/bin/env node
/**
 * Flash detector accuracy over scene cases of scripts/make-sync-scenes.mjs (issue 11 item 6, video half), calling
 * scanVideoFlash directly (build first: npx tsc -p tsconfig.json):
 *   node scripts/measure-sync-flash.mjs DIR [--mode guided|unguided|both] [--json OUT]
 * Windows are the file's two halves (the session's min(search-s, duration/2) for short files). Guided: each camera
 * beep as heard on the camera's sound (the truth's beep_on_camera_s: the flash time plus the camera's A/V skew) with
 * ±0.1 s tolerance and the pulse length of the reference microphone; negative controls get beeps at 30 % and 70 % of
 * the file (a guide where there is no flash). Per pulse: right = a placeable detection within 0.5 frame; wrong = a
 * placeable detection more than 1 frame off, or any placeable detection where there is no pulse; refused = none.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const { probe } = await import(join(root, 'dist', 'media', 'probe.js'));
const { scanVideoFlash } = await import(join(root, 'dist', 'sync', 'scan-video.js'));

const args = process.argv.slice(2);
const dir = args[0];
const mode = args.includes('--mode') ? args[args.indexOf('--mode') + 1] : 'both';
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : null;

async function runCase(id, guided) {
  const t = JSON.parse(readFileSync(join(dir, id, 'truth.json'), 'utf8'));
  const file = join(dir, id, 'cam.mp4');
  const p = await probe(file);
  const half = p.duration_s / 2;
  const windows = [
    { name: 'start', start_s: 0, duration_s: half },
    { name: 'end', start_s: half, duration_s: null },
  ];
  const fl = t.flash;
  const beeps = t.expect === 'not_found' ? [0.3 * p.duration_s, 0.7 * p.duration_s] : fl.beep_on_camera_s;
  if (guided && !beeps) return null; // a camera without sound has no guide
  const guides = guided ? beeps.map((b) => ({ window: b < half ? 'start' : 'end', t_s: b, tolerance_s: 0.1, duration_s: fl.duration_s })) : undefined;
  const r = await scanVideoFlash(file, windows, { probed: p, guides });
  const rows = [];
  for (const w of r.windows) {
    const truthHere = fl.onsets_s.filter((on) => (w.window.name === 'start' ? on < half : on >= half));
    const placed = w.detections.filter((d) => d.placeable);
    if (truthHere.length === 0) {
      rows.push({ id, guided, window: w.window.name, pulse: false, outcome: placed.length ? 'wrong' : 'refused', err_frames: null, t: placed.map((d) => d.t_s), conf: placed.map((d) => d.confidence) });
      continue;
    }
    for (const on of truthHere) {
      const near = placed.slice().sort((a, b) => Math.abs(a.t_s - on) - Math.abs(b.t_s - on));
      const err = near.length ? (near[0].t_s - on) / fl.frame_s : null;
      const extra = placed.length > 1;
      let outcome = 'refused';
      if (err !== null) outcome = Math.abs(err) <= 0.5 && !extra ? 'right' : Math.abs(err) <= 1 && !extra ? 'marginal' : 'wrong';
      rows.push({ id, guided, window: w.window.name, pulse: true, outcome, err_frames: err, conf: near[0]?.confidence ?? null, tags: t.tags });
    }
  }
  return rows.map((x) => ({ ...x, tags: t.tags, expect: t.expect }));
}

const all = [];
for (const id of readdirSync(dir).sort()) {
  for (const guided of mode === 'both' ? [true, false] : [mode === 'guided']) {
    const rows = await runCase(id, guided);
    if (!rows) continue;
    all.push(...rows);
    for (const x of rows) console.log(`${x.outcome.padEnd(8)} ${guided ? 'guided  ' : 'unguided'} ${id} ${x.window}${x.err_frames !== null ? ` err ${x.err_frames.toFixed(2)} frame` : ''}`);
  }
}

function table(label, key) {
  const groups = new Map();
  for (const x of all) {
    const k = `${x.guided ? 'guided' : 'unguided'} | ${key(x)}`;
    const g = groups.get(k) ?? { right: 0, marginal: 0, refused: 0, wrong: 0, n: 0 };
    g[x.outcome]++;
    g.n++;
    groups.set(k, g);
  }
  console.log(`\n| search | ${label} | pulses | right (<=0.5 frame) | 0.5-1 frame | refused | wrong |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [k, g] of [...groups.entries()].sort()) console.log(`| ${k} | ${g.n} | ${g.right} | ${g.marginal} | ${g.refused} | ${g.wrong} |`);
}
table('kind', (x) => (x.pulse ? 'pulse' : 'no pulse (negative control / empty window)'));
const pos = (f) => (x) => (x.pulse ? f(x) : 'no pulse');
table('LED', pos((x) => String(x.tags.led_px) + (x.tags.led_color === 'red' ? ' red' : '')));
table('background', pos((x) => String(x.tags.scene)));
table('exposure', pos((x) => String(x.tags.exposure)));
table('fps / shutter', pos((x) => `${x.tags.fps} fps ${x.tags.shutter_deg}°`));
table('codec', pos((x) => String(x.tags.codec)));
const errs = all.filter((x) => x.outcome === 'right').map((x) => Math.abs(x.err_frames)).sort((a, b) => a - b);
if (errs.length) console.log(`\nright: |error| median ${errs[errs.length >> 1].toFixed(3)} frame, max ${errs[errs.length - 1].toFixed(3)} frame`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(all, null, 1));
