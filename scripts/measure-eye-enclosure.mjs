#!/usr/bin/env node
/**
 * Measures the eyes' two visibility cues (src/face/visibility.ts) on videos: the P90 - P10 spread of each eye ellipse
 * and its enclosed contrast (dark structure between lighter rims across the eye, enclosedContrast), and the flatter
 * outer band of the eyes and the mouth (flatterBand, BANDS: a flat cover over part of the region), recomputed from the
 * records' landmarks (rounded to 0.01 px) on the decoded frames. Prints, per file, the enclosed contrast of the eyes
 * that the spread alone reads visible (what the enclosure may take away) and each such eye it takes below VISIBLE_MIN. docs/face.md "Visibility" quotes its output on fixtures/face/*.mp4, the trial30 clips
 * and OpenCV's Megamind.avi (Debian opencv-doc).
 * Usage: npm run build && node scripts/measure-eye-enclosure.mjs VIDEO... [--max-faces N]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { extractFace } = await import(join(ROOT, 'dist', 'face', 'index.js'));
const { ffmpegBinaries } = await import(join(ROOT, 'dist', 'media', 'ffmpeg-path.js'));
const { eyeCues, bandCue, BANDS, ENCLOSURE, VISIBILITY_REFERENCE, VISIBLE_MIN } = await import(join(ROOT, 'dist', 'face', 'visibility.js'));
const { ffmpeg, ffprobe } = ffmpegBinaries();
const INFERENCE_SIDE = 640; // extractFace's default --inference-side: visibility is measured on that picture

const args = process.argv.slice(2);
const mf = args.indexOf('--max-faces');
const maxFaces = mf >= 0 ? Number(args.splice(mf, 2)[1]) : 1;
const q = (a, p) => a[Math.min(a.length - 1, Math.round(p * (a.length - 1)))];
const f3 = (x) => (x === null ? 'null' : x.toFixed(3));

/** Decoded frames at the inference size (every frame as stored: -vsync passthrough). */
function frames(video) {
  const [w0, h0] = execFileSync(ffprobe.path, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', video]).toString().trim().split(',').map(Number);
  const s = Math.min(1, INFERENCE_SIDE / Math.max(w0, h0));
  const [w, h] = [Math.round(w0 * s), Math.round(h0 * s)];
  const raw = execFileSync(ffmpeg.path, ['-v', 'error', '-i', video, '-vsync', 'passthrough', '-vf', `scale=${w}:${h}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 2 ** 32 - 1 });
  return { s, w, h, at: (k) => raw.subarray(k * w * h * 3, (k + 1) * w * h * 3) };
}

/**
 * The band cue of an eye or mouth that the other cues read visible (eyes: spread and enclosed contrast; the mouth:
 * the record's visibility_mouth before the cap is not at hand, so its spread recomputed here is not: every mouth counts).
 */
function noteBand(bands, frame, region, band, cues, f) {
  if (band === null) return;
  if (region !== 'mouth') {
    const { spread, enclosed } = cues[region];
    if (spread === null || enclosed === null || Math.min(spread / VISIBILITY_REFERENCE[region], enclosed / ENCLOSURE.reference) < VISIBLE_MIN) return;
  }
  bands.kept.push(band);
  if (band / BANDS.reference < VISIBLE_MIN) bands.taken.push(`frame ${frame} ${region} band ${f3(band)} (record visibility ${f[`visibility_${region}`]}, iod ${f.iod_px} px)`);
}

async function measure(video) {
  const dir = mkdtempSync(join(tmpdir(), 'mmprep-enclosure-'));
  try {
    const out = join(dir, 'o.jsonl');
    await extractFace(video, { out, workers: 1, maxFaces });
    const recs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const { s, w, h, at } = frames(video);
    const kept = [];
    const taken = [];
    const bands = { kept: [], taken: [] };
    for (const r of recs.filter((x) => x.face_found)) {
      for (const f of [r, ...(r.faces ?? [])]) {
        const m = Float64Array.from(f.landmarks.flatMap((p) => [p[0] * s, p[1] * s, p[2]]));
        const cues = eyeCues(at(r.frame), w, h, m);
        for (const eye of ['eye_right', 'eye_left']) {
          const { spread, enclosed } = cues[eye];
          if (spread === null || enclosed === null || spread / VISIBILITY_REFERENCE[eye] < VISIBLE_MIN) continue;
          kept.push(enclosed); // the spread alone reads this eye visible
          if (enclosed / ENCLOSURE.reference < VISIBLE_MIN) taken.push(`frame ${r.frame} ${eye} spread ${f3(spread)} enclosed ${f3(enclosed)} (iod ${f.iod_px} px)`);
        }
        for (const region of BANDS.regions) noteBand(bands, r.frame, region, bandCue(at(r.frame), w, h, m, region), cues, f);
      }
    }
    kept.sort((a, b) => a - b);
    console.log(`${video}: ${kept.length} eyes the spread alone reads visible; enclosed contrast min ${f3(q(kept, 0))} p1 ${f3(q(kept, 0.01))} p5 ${f3(q(kept, 0.05))} median ${f3(q(kept, 0.5))} max ${f3(q(kept, 1))} (reference ${ENCLOSURE.reference}, spread reference ${VISIBILITY_REFERENCE.eye_right})`);
    for (const t of taken) console.log(`  under ${VISIBLE_MIN * ENCLOSURE.reference}: ${t}`);
    bands.kept.sort((a, b) => a - b);
    console.log(`  flatter outer band (BANDS, reference ${BANDS.reference}) of ${bands.kept.length} eyes and mouths the other cues read visible: min ${f3(q(bands.kept, 0))} p1 ${f3(q(bands.kept, 0.01))} p5 ${f3(q(bands.kept, 0.05))} median ${f3(q(bands.kept, 0.5))}`);
    for (const t of bands.taken) console.log(`  band under ${VISIBLE_MIN * BANDS.reference}: ${t}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const v of args) await measure(v);
