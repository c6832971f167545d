#!/usr/bin/env node
/**
 * Flash detector accuracy over scene cases of scripts/make-sync-scenes.mjs (issue 11 item 6, video half), calling
 * scanVideoFlash directly (build first: npx tsc -p tsconfig.json):
 *   node scripts/measure-sync-flash.mjs DIR [--mode guided|unguided|session|all] [--json OUT]
 * Windows are the file's two halves (the session's min(search-s, duration/2) for short files). Guided: each camera
 * beep as heard on the camera's sound (the truth's beep_on_camera_s: the flash time plus the camera's A/V skew) with
 * ±0.1 s tolerance and the pulse length of the reference microphone; negative controls get beeps at 30 % and 70 % of
 * the file (a guide where there is no flash), or the camera's own beeps when it heard them (an LED that stayed dark). Unguided: a camera without sound, knowing nothing. Session: a camera
 * without sound in a session whose reference microphone heard beeps at both ends: their interval (the truth's,
 * on the reference clock) and the pulse length go to the start/end pair search (flash-pair.ts); start-only cases
 * get the pulse length only; negative controls get a pair hint (0.55 of the file apart, 0.2 s: beeps the camera
 * never saw). Mismatch: the 2-pulse cases with the interval 0.77 s off, and the negative controls with a 0.3 s
 * length only (nothing may be placed). The latter is the lone search `mmprep sync` runs for a camera without a usable
 * beep of its own when the reference heard a beep at one end only; the product searches the end half that way only
 * with --ends both, where an end flash is placed only from another stream's end pulse (none heard one), so a wrong detection
 * there is what the product would place if the same event fell in the start window (or under --search-s 0). A
 * candidate that arrives or leaves through the cells around it is refused by the scanner itself (flash-arrival.ts),
 * so this verdict and the product's agree. `all` runs all four.
 * Lengths (not in `all`): each half of every case searched alone as the lone search of a start-only session
 * (luma, 320 px, no guide, no partner), told a beep of 0.1, 0.2, 0.3 and 0.45 s whatever the LED's own length: an
 * LED driven for another length than the beep, or a half without any pulse. A placeable detection away from every
 * true onset is wrong (the fourteenth session's probe: a slide change placed when told 0.45 s for a 0.27 s LED).
 * Per pulse: right = a placeable detection within 0.5 frame; wrong = a placeable detection more than 1 frame off, or any placeable detection where there is no pulse; refused = none.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const { probe } = await import(join(root, 'dist', 'media', 'probe.js'));
const { scanVideoFlash, FlashLooks } = await import(join(root, 'dist', 'sync', 'flash', 'scan-video.js'));

const args = process.argv.slice(2);
const dir = args[0];
const mode = args.includes('--mode') ? args[args.indexOf('--mode') + 1] : 'all';
const searches = mode === 'all' ? ['guided', 'unguided', 'session', 'mismatch'] : mode === 'both' ? ['guided', 'unguided'] : [mode];
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : null;
// --only SUBSTRING: the cases whose id contains it; --scan JSON: scanVideoFlash options (e.g. '{"maxSide":320,"picture":"luma"}').
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const scanOpts = args.includes('--scan') ? JSON.parse(args[args.indexOf('--scan') + 1]) : {};

const LENGTHS_S = [0.1, 0.2, 0.3, 0.45];

/** Mode `lengths`: both halves decoded once each, one lone scanner per told length (as scan-video.ts scanSpan runs it). */
async function lengthRows(id) {
  const { VideoDecoder } = await import(join(root, 'dist', 'media', 'decode-video.js'));
  const { FlashScanner } = await import(join(root, 'dist', 'sync', 'flash', 'flash.js'));
  const { DEFAULT_FLASH_SIDE } = await import(join(root, 'dist', 'sync', 'flash', 'scan-video.js'));
  const t = JSON.parse(readFileSync(join(dir, id, 'truth.json'), 'utf8'));
  const file = join(dir, id, 'cam.mp4');
  const p = await probe(file);
  const half = p.duration_s / 2;
  const onsets = t.flash?.onsets_s ?? [];
  const rows = [];
  for (const [name, start, end] of [['start', undefined, half], ['end', half, undefined]]) {
    const dec = await VideoDecoder.open(file, { start, end, maxSide: scanOpts.maxSide ?? DEFAULT_FLASH_SIDE, pixelFormat: 'gray', probed: p });
    const scanners = LENGTHS_S.map((L) => new FlashScanner(1 / dec.geometry.scale, { pulseS: L }, [], 1));
    for await (const f of dec) for (const sc of scanners) sc.push(f);
    const here = onsets.filter((on) => (name === 'start' ? on < half : on >= half));
    scanners.forEach((sc, i) => {
      const placed = sc.finish().filter((d) => d.placeable);
      const err = placed.length && here.length ? (placed[0].t_s - here[0]) / t.flash.frame_s : null;
      let outcome = 'refused';
      if (placed.length) outcome = err === null || Math.abs(err) > 1 || placed.length > 1 ? 'wrong' : Math.abs(err) <= 0.5 ? 'right' : 'marginal';
      const sc0 = placed[0] ? `told ${LENGTHS_S[i]} s (LED ${t.flash?.duration_s ?? '-'} s): at ${placed[0].t_s.toFixed(3)} s, score ${placed[0].score.toFixed(1)}, null max ${placed[0].null_max?.toFixed(1)}` : `told ${LENGTHS_S[i]} s`;
      rows.push({ id, search: 'lengths', window: name, pulse: here.length > 0, outcome, err_frames: err, sc: sc0, conf: placed[0]?.confidence ?? null, tags: t.tags, expect: t.expect });
    });
  }
  return rows;
}

async function runCase(id, search, looks) {
  if (search === 'lengths') return lengthRows(id);
  const guided = search === 'guided';
  const t = JSON.parse(readFileSync(join(dir, id, 'truth.json'), 'utf8'));
  const file = join(dir, id, 'cam.mp4');
  const p = await probe(file);
  const half = p.duration_s / 2;
  const windows = [
    { name: 'start', start_s: 0, duration_s: half },
    { name: 'end', start_s: half, duration_s: null },
  ];
  const fl = t.flash;
  // A negative control whose camera heard beeps (its LED dark) is guided by them; others get beeps at 30 % and 70 %.
  const beeps = t.expect === 'not_found' && !fl.beep_on_camera_s?.length ? [0.3 * p.duration_s, 0.7 * p.duration_s] : fl.beep_on_camera_s;
  if (guided && !beeps) return null; // a camera without sound has no guide
  const guides = guided ? beeps.map((b) => ({ window: b < half ? 'start' : 'end', t_s: b, tolerance_s: 0.1, duration_s: fl.duration_s })) : undefined;
  // The reference microphone's beeps: camera onsets on the reference clock (t·k + offset), so their interval is Δ·k.
  const video = t.streams.find((x) => x.kind === 'video');
  const k = 1 + (video?.drift_ppm ?? 0) * 1e-6;
  let pairHint;
  if (search === 'session' && fl.onsets_s.length === 2) pairHint = { interval_s: (fl.onsets_s[1] - fl.onsets_s[0]) * k, pulse_s: fl.duration_s };
  // Start-only: the reference's beep gives the pulse length only.
  if (search === 'session' && fl.onsets_s.length === 1) pairHint = { interval_s: null, pulse_s: fl.duration_s };
  // Negative controls in a session with beeps at both ends the camera never saw (the LED out of view).
  if (search === 'session' && t.expect === 'not_found') pairHint = { interval_s: 0.55 * p.duration_s, pulse_s: 0.2 };
  // Mismatch control: the reference's interval is not the camera's (another session's reference): no pair may be placed.
  // Negative controls in a start-only session (a 0.3 s beep the camera never saw).
  if (search === 'mismatch') {
    if (t.expect === 'not_found') pairHint = { interval_s: null, pulse_s: 0.3 };
    else if (fl.onsets_s.length !== 2) return null;
    else pairHint = { interval_s: (fl.onsets_s[1] - fl.onsets_s[0]) * k + 0.77, pulse_s: fl.duration_s };
  }
  const r = await scanVideoFlash(file, windows, { ...scanOpts, probed: p, guides, pairHint, looks });
  const rows = [];
  for (const w of r.windows) {
    const truthHere = search === 'mismatch' ? [] : fl.onsets_s.filter((on) => (w.window.name === 'start' ? on < half : on >= half));
    const placed = w.detections.filter((d) => d.placeable);
    if (truthHere.length === 0) {
      rows.push({ id, search, window: w.window.name, pulse: false, outcome: placed.length ? 'wrong' : 'refused', err_frames: null, t: placed.map((d) => d.t_s), conf: placed.map((d) => d.confidence) });
      continue;
    }
    for (const on of truthHere) {
      const near = placed.slice().sort((a, b) => Math.abs(a.t_s - on) - Math.abs(b.t_s - on));
      const err = near.length ? (near[0].t_s - on) / fl.frame_s : null;
      const extra = placed.length > 1;
      let outcome = 'refused';
      if (err !== null) outcome = Math.abs(err) <= 0.5 && !extra ? 'right' : Math.abs(err) <= 1 && !extra ? 'marginal' : 'wrong';
      const nearest = w.detections.slice().sort((a, b) => Math.abs(a.t_s - on) - Math.abs(b.t_s - on))[0];
      const why = outcome === 'refused' ? (nearest && Math.abs(nearest.t_s - on) < fl.frame_s ? nearest.unplaceable_reason : 'not among the candidates') : undefined;
      const sc = nearest ? `score ${nearest.score.toFixed(1)}, null max ${nearest.null_max?.toFixed(1)}, conf ${nearest.confidence.toFixed(3)}` : 'no candidate';
      rows.push({ id, search, window: w.window.name, pulse: true, outcome, why, sc, err_frames: err, conf: near[0]?.confidence ?? null, tags: t.tags });
    }
  }
  return rows.map((x) => ({ ...x, tags: t.tags, expect: t.expect }));
}

const all = [];
for (const id of readdirSync(dir).sort().filter((x) => only === null || x.includes(only))) {
  // The session and mismatch searches differ in the pair's interval only: their looks are decoded once (FlashLooks).
  const looks = new FlashLooks();
  for (const search of searches) {
    const rows = await runCase(id, search, looks);
    if (!rows) continue;
    all.push(...rows);
    for (const x of rows) console.log(`${x.outcome.padEnd(8)} ${search.padEnd(8)} ${id} ${x.window}${x.err_frames !== null ? ` err ${x.err_frames.toFixed(2)} frame` : ''}${x.sc ? ` [${x.sc}]` : ''}${x.why ? ` (${x.why})` : ''}`);
  }
}

function table(label, key) {
  const groups = new Map();
  for (const x of all) {
    const k = `${x.search} | ${key(x)}`;
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
table('LED', pos((x) => String(x.tags.led_px) + (x.tags.led_color !== 'white' && x.tags.led_px !== 'screen' ? ` ${x.tags.led_color}` : '')));
table('background', pos((x) => String(x.tags.scene)));
table('exposure', pos((x) => String(x.tags.exposure)));
table('fps / shutter', pos((x) => `${x.tags.fps} fps ${x.tags.shutter_deg}°`));
table('codec', pos((x) => String(x.tags.codec)));
table('ends', pos((x) => `${x.tags.pulses} pulse(s)`));
for (const search of searches) {
  const errs = all.filter((x) => x.search === search && x.outcome === 'right').map((x) => x.err_frames);
  if (!errs.length) continue;
  const abs = errs.map(Math.abs).sort((a, b) => a - b);
  const mean = errs.reduce((a, b) => a + b, 0) / errs.length;
  console.log(`${search}: right ones' |error| median ${abs[abs.length >> 1].toFixed(3)}, 90th percentile ${abs[Math.floor(0.9 * (abs.length - 1))].toFixed(3)}, max ${abs[abs.length - 1].toFixed(3)} frame; signed mean ${mean.toFixed(3)} frame`);
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(all, null, 1));
