#!/usr/bin/env node
/**
 * Does a learned cue tell human faces from the non-face meshes the geometric plausibility check lets through? Runs
 * Human's description model (faceres, HSE-FaceRes: age, gender and a 1024-d embedding) and its antispoof and
 * liveness models on every face candidate of the plausibility material (the tuning, held-out and fresh splits of
 * scripts/measure-face-quality.mjs plausibility and scripts/face-plausibility-material.mjs; Debian's opencv-doc,
 * libdlib19.1 and python3-skimage), every frame, and writes one JSON row per candidate above --min-confidence 0.3 (with
 * its geometric verdict, its scores and the embedding) to OUT (default /tmp/mmprep-face-description.json), then prints
 * per split and kind the distributions of: cosine similarity of the embedding to the mean embedding of the tuning
 * humans, the embedding's length, age, gender confidence, antispoof `real`, liveness `live`, the expression model's
 * largest probability and entropy (it runs on every frame anyway); then a logistic
 * regression on the embedding fitted on the tuning split and checked on the others.
 * Usage: npm run build && node scripts/measure-face-description.mjs [OUT]
 *        node scripts/measure-face-description.mjs --report OUT   (print again from a saved file)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LOW = 0.3;

function cosine(a, b) {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

/** Mean of the unit-length embeddings. */
function meanUnit(rows) {
  const m = new Float64Array(rows[0].embedding.length);
  for (const r of rows) {
    const n = Math.hypot(...r.embedding);
    r.embedding.forEach((v, i) => (m[i] += v / n / rows.length));
  }
  return m;
}

async function measure(out) {
  const q = await import('./measure-face-quality.mjs');
  const { material } = await import('./face-plausibility-material.mjs');
  const { FaceRecordBuilder } = await import(join(ROOT, 'dist', 'face', 'extract.js'));
  const { implausibility } = await import(join(ROOT, 'dist', 'face', 'plausibility.js'));
  const { ffmpegBinaries } = await import(join(ROOT, 'dist', 'media', 'ffmpeg-path.js'));
  // The raw faces of every frame, as the record builder receives them (inference pixels).
  const captured = [];
  const build = FaceRecordBuilder.prototype.build;
  FaceRecordBuilder.prototype.build = function (frame, t, faces, flow) {
    captured.push(faces);
    return build.call(this, frame, t, faces, flow);
  };
  const more = material(ffmpegBinaries().ffmpeg.path, q.W, q.H, q.astAt);
  const sets = [
    ['tuning', 'non-face', q.nonFaceFrames()],
    ['tuning', 'human', q.humanFrames()],
    ['held-out', 'non-face', more.heldoutNonFaces()],
    ['held-out', 'human', more.heldoutHumans()],
    ['fresh', 'non-face', more.freshNonFaces()],
    ['fresh', 'human', more.freshHumans()],
  ];
  const rows = [];
  // DESCRIPTION_CROP: fraction trimmed off each side of Human's face crop (1.6 x the face box) before faceres.
  const crop = Number(process.env.DESCRIPTION_CROP ?? 0);
  const stages = { description: true, descriptionEveryFrame: true, descriptionCrop: crop, antispoof: !crop, liveness: !crop };
  for (const [split, kind, frames] of sets) {
    captured.length = 0;
    await q.analyse(frames.map((f) => f.img), { minConfidence: LOW, stages });
    frames.forEach((f, k) => {
      for (const face of captured[k]) {
        const conf = Math.min(face.det_score, face.mesh_score);
        if (!(conf >= LOW) || face.mesh.length < 468 * 3) continue;
        const d = face.description ?? {};
        rows.push({
          split, kind, name: f.name, det: face.det_score, mesh: face.mesh_score, conf,
          why: implausibility(face.mesh, face.box, face.skin),
          age: d.age ?? null, gender: d.gender ?? null, gender_score: d.gender_score ?? null, real: d.real ?? null, live: d.live ?? null,
          // The expression model's output (it runs on every frame anyway): its largest probability and its entropy.
          expr_max: face.expr ? Math.max(...face.expr) : null,
          expr_entropy: face.expr ? -face.expr.reduce((s, p) => s + (p > 0 ? p * Math.log(p) : 0), 0) : null,
          embedding: Array.from(d.embedding ?? []),
        });
      }
    });
    console.log(`${split} ${kind}: ${frames.length} frames, ${rows.filter((r) => r.split === split && r.kind === kind).length} candidates >= ${LOW}`);
  }
  writeFileSync(out, JSON.stringify(rows));
  return rows;
}

function stats(v) {
  if (!v.length) return 'none';
  const s = [...v].sort((a, b) => a - b);
  const p = (x) => s[Math.min(s.length - 1, Math.round(x * (s.length - 1)))].toFixed(3);
  return `n ${s.length} min ${p(0)} p5 ${p(0.05)} median ${p(0.5)} p95 ${p(0.95)} max ${p(1)}`;
}

/**
 * L2-regularised logistic regression (class-balanced, plain gradient descent) of human against non-face on the unit
 * embeddings of `train`: the "learned on the embedding" variant of the cue. Returns the score function.
 */
function logistic(train, lambda) {
  const dim = train[0].unit.length;
  const w = new Float64Array(dim);
  let b = 0;
  const nh = train.filter((r) => r.kind === 'human').length;
  const weight = (r) => (r.kind === 'human' ? 0.5 / nh : 0.5 / (train.length - nh));
  const score = (u) => u.reduce((s, v, i) => s + v * w[i], b);
  for (let it = 0; it < 3000; it++) {
    const g = new Float64Array(dim);
    let gb = 0;
    for (const r of train) {
      const e = (1 / (1 + Math.exp(-score(r.unit))) - (r.kind === 'human' ? 1 : 0)) * weight(r);
      r.unit.forEach((v, i) => (g[i] += e * v));
      gb += e;
    }
    for (let i = 0; i < dim; i++) w[i] -= 0.5 * (g[i] + lambda * w[i]);
    b -= 0.5 * gb;
  }
  return score;
}

/** Fitted on the tuning split (every candidate >= 0.3), threshold midway between its classes; checked on the others. */
function learnedCue(rows) {
  console.log('\nLogistic regression on the embedding, fitted on the tuning split, threshold midway between its humans and non-faces:');
  const tuning = rows.filter((r) => r.split === 'tuning' && r.unit);
  for (const lambda of [1e-3, 1e-2, 1e-1]) {
    const score = logistic(tuning, lambda);
    const lowHuman = Math.min(...tuning.filter((r) => r.kind === 'human').map((r) => score(r.unit)));
    const highNon = Math.max(...tuning.filter((r) => r.kind !== 'human').map((r) => score(r.unit)));
    const th = (lowHuman + highNon) / 2;
    for (const mc of [0.5, LOW]) {
      const out = ['held-out', 'fresh'].map((split) => {
        const sel = rows.filter((r) => r.split === split && r.unit && !r.why && r.conf >= mc);
        const h = sel.filter((r) => r.kind === 'human').map((r) => score(r.unit) - th);
        const n = sel.filter((r) => r.kind !== 'human').map((r) => score(r.unit) - th);
        return `${split}: humans rejected ${h.filter((v) => v < 0).length}/${h.length} (nearest ${Math.min(...h).toFixed(2)}), non-faces kept ${n.filter((v) => v >= 0).length}/${n.length}`;
      });
      console.log(`lambda ${lambda} (tuning gap ${lowHuman.toFixed(2)} - ${highNon.toFixed(2)}) at ${mc}: ${out.join(' | ')}`);
    }
  }
}

function report(rows) {
  const ref = meanUnit(rows.filter((r) => r.split === 'tuning' && r.kind === 'human' && r.conf >= 0.5 && !r.why && r.embedding.length));
  for (const r of rows) {
    r.norm = r.embedding.length ? Math.hypot(...r.embedding) : null;
    r.unit = r.embedding.length ? r.embedding.map((v) => v / r.norm) : null;
    r.cos = r.embedding.length ? cosine(r.embedding, ref) : null;
  }
  const cues = ['cos', 'norm', 'age', 'gender_score', 'real', 'live', 'expr_max', 'expr_entropy'];
  for (const mc of [0.5, LOW]) {
    console.log(`\n--min-confidence ${mc} (cos: to the mean unit embedding of the tuning humans kept at 0.5)`);
    for (const split of ['tuning', 'held-out', 'fresh']) {
      for (const kind of ['human', 'non-face']) {
        const sel = rows.filter((r) => r.split === split && r.kind === kind && r.conf >= mc && !r.why);
        for (const c of cues) console.log(`${split.padEnd(8)} ${kind.padEnd(8)} kept by geometry ${c.padEnd(12)} ${stats(sel.map((r) => r[c]).filter((x) => x !== null))}`);
        if (kind === 'non-face') for (const r of sel) console.log(`   non-face kept: ${r.name} det ${r.det.toFixed(2)} mesh ${r.mesh.toFixed(2)} ` + cues.map((c) => `${c} ${r[c]?.toFixed?.(3) ?? r[c]}`).join(' '));
      }
    }
    const rej = rows.filter((r) => r.kind === 'non-face' && r.conf >= mc && r.why);
    for (const c of cues) console.log(`all      non-face rejected by geometry ${c.padEnd(12)} ${stats(rej.map((r) => r[c]).filter((x) => x !== null))}`);
  }
  // The humans nearest each cue's non-face values: the lowest human per split.
  console.log('\nLowest cos among humans kept by geometry (>= 0.3):');
  for (const split of ['tuning', 'held-out', 'fresh']) {
    const h = rows.filter((r) => r.split === split && r.kind === 'human' && !r.why && r.cos !== null).sort((a, b) => a.cos - b.cos).slice(0, 5);
    console.log(`${split}: ` + h.map((r) => `${r.name} ${r.cos.toFixed(3)} (conf ${r.conf.toFixed(2)})`).join(', '));
  }
  learnedCue(rows);
}

const args = process.argv.slice(2);
if (args[0] === '--report') report(JSON.parse(readFileSync(args[1], 'utf8')));
else report(await measure(args[0] ?? '/tmp/mmprep-face-description.json'));
