/**
 * Pictures for the plausibility check's measurement (scripts/measure-face-quality.mjs plausibility) beyond the tuning
 * material (that script's nonFaceFrames/humanFrames), all from Debian packages, nothing committed:
 *   heldout  seen while the bounds were last changed (docs/face.md says which bound they informed): 23 more baboon
 *            variants, pictures without human faces (OpenCV's samples, dlib's dogs.jpg, scikit-image's data), hard
 *            human faces (dlib's PASCAL VOC photos and their mirror images, the LFW crops of dlib's "johns" at 150, 90
 *            and 70 px, dimmed or blurred, OpenCV's basketball frames, scikit-image's cameraman, small, dim, blurred
 *            and partly covered astronaut renders);
 *   fresh    looked at only once, after the bounds were fixed: other baboon and dog variants, VOC photos zoomed in,
 *            frames of OpenCV's Megamind_bugy.avi and vtest.avi not in the tuning set.
 * Packages: opencv-doc (/usr/share/doc/opencv-doc/examples/data), libdlib19.1 (its examples), python3-skimage (data).
 * A set whose package is missing is skipped with a note.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { boxBlur, fillEllipse, lowLight } from './face-render.mjs';

export const OPENCV = '/usr/share/doc/opencv-doc/examples/data';
export const DLIB = '/usr/share/doc/libdlib19.1/examples';
export const SKIMAGE = '/usr/lib/python3/dist-packages/skimage/data';

/** Frame builders bound to the caller's ffmpeg, frame size and astronaut renderer. */
export function material(ffmpeg, W, H, astAt) {
  const fit = `scale=${W}:${H}:force_original_aspect_ratio=decrease,pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2:gray`;
  const at = (s, x = '(ow-iw)/2', y = '(oh-ih)/2') => `scale=${s}:-2,pad=${Math.max(W, s)}:${Math.max(H, s)}:${x}:${y}:gray,crop=${W}:${H}:0:0`;
  const still = (file, vf) =>
    execFileSync(ffmpeg, ['-nostdin', '-v', 'error', '-i', file, '-vf', vf, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 28 });
  const video = (file, select) =>
    execFileSync(ffmpeg, ['-nostdin', '-v', 'error', '-i', file, '-vf', `select=${select},${fit}`, '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
  const frames = (buf) => Array.from({ length: Math.floor(buf.length / (W * H * 3)) }, (_, k) => buf.subarray(k * W * H * 3, (k + 1) * W * H * 3));
  const have = (dir, what) => existsSync(dir) || (console.log(`(skipped: ${what}, ${dir} missing)`), false);
  const baboon = (variants) => Object.entries(variants).map(([name, vf]) => ({ name, img: still(join(OPENCV, 'baboon.jpg'), vf.replace('FIT', fit)) }));

  function heldoutNonFaces() {
    const out = [];
    if (have(OPENCV, 'opencv-doc')) {
      out.push(...baboon({
        'bab-150px-left': `scale=150:150,pad=${W}:${H}:60:300:gray`,
        'bab-220px-right': `scale=220:220,pad=${W}:${H}:450:40:gray`,
        'bab-320px': at(320),
        'bab-420px-mirror': `hflip,${at(420)}`,
        'bab-550px': `scale=550:550,pad=${W}:550:(ow-iw)/2:0:gray,crop=${W}:${H}`,
        'bab-rot10': 'rotate=10*PI/180:fillcolor=gray,FIT',
        'bab-rot-30': 'rotate=-30*PI/180:fillcolor=gray,FIT',
        'bab-rot30': 'rotate=30*PI/180:fillcolor=gray,FIT',
        'bab-rot-60': 'rotate=-60*PI/180:fillcolor=gray,FIT',
        'bab-crop-eyes': 'crop=300:220:106:40,FIT',
        'bab-crop-face': 'crop=420:420:46:20,FIT',
        'bab-crop-low': 'crop=400:330:56:182,FIT',
        'bab-hue': 'hue=h=120,FIT',
        'bab-gamma': 'eq=gamma=1.8,FIT',
        'bab-contrast': 'eq=contrast=1.6,FIT',
        'bab-sharpen': 'unsharp=7:7:2.0,FIT',
        'bab-blur5': 'gblur=sigma=5,FIT',
        'bab-dark-small': `eq=brightness=-0.25:contrast=0.5,${at(260)}`,
        'bab-gray-mirror': 'hflip,format=gray,format=rgb24,FIT',
        'bab-noise-small': `noise=alls=25:allf=t,${at(300)}`,
        'bab-sepia': 'colorchannelmixer=.393:.769:.189:0:.349:.686:.168:0:.272:.534:.131,FIT',
        'bab-squeeze': 'scale=512:380,FIT',
        'bab-stretch': 'scale=400:512,FIT',
      }));
      const skip = new Set(['messi5.jpg', 'baboon.jpg', 'basketball1.png', 'basketball2.png']);
      for (const f of readdirSync(OPENCV).sort()) if (/\.(jpg|png)$/.test(f) && !skip.has(f)) out.push({ name: `ocv-${f}`, img: still(join(OPENCV, f), fit) });
    }
    if (have(DLIB, 'libdlib19.1 examples')) {
      out.push({ name: 'dlib-dogs', img: still(join(DLIB, 'faces', 'dogs.jpg'), fit) });
      for (const [k, c] of [['tl', '0:0'], ['tr', 'iw/2:0'], ['bl', '0:ih/2'], ['br', 'iw/2:ih/2']]) out.push({ name: `dlib-dog-${k}`, img: still(join(DLIB, 'faces', 'dogs.jpg'), `crop=iw/2:ih/2:${c},${fit}`) });
      for (const f of ['frame_000101.jpg', 'frame_000164.jpg', 'frame_000222.jpg']) out.push({ name: `dlib-${f}`, img: still(join(DLIB, 'video_frames', f), fit) });
    }
    if (have(SKIMAGE, 'python3-skimage')) {
      for (const f of ['chelsea.png', 'coffee.png', 'rocket.jpg', 'horse.png', 'coins.png', 'moon.png', 'brick.png', 'grass.png', 'gravel.png', 'hubble_deep_field.jpg', 'ihc.png', 'logo.png', 'motorcycle_left.png', 'color.png', 'retina.jpg', 'clock_motion.png', 'page.png', 'text.png'])
        if (existsSync(join(SKIMAGE, f))) out.push({ name: `sk-${f}`, img: still(join(SKIMAGE, f), fit) });
    }
    return out;
  }

  function heldoutHumans() {
    const out = [];
    if (have(DLIB, 'libdlib19.1 examples')) {
      for (const f of readdirSync(join(DLIB, 'faces')).sort()) {
        if (!/\.jpg$/.test(f) || f === 'dogs.jpg') continue;
        out.push({ name: `dlib-${f}`, img: still(join(DLIB, 'faces', f), fit) });
        out.push({ name: `dlib-${f}-mirror`, img: still(join(DLIB, 'faces', f), `hflip,${fit}`) });
      }
      let j = 0;
      for (const p of readdirSync(join(DLIB, 'johns')).sort()) {
        for (const f of readdirSync(join(DLIB, 'johns', p)).sort()) {
          const s = [150, 90, 70][j % 3];
          const pre = ['', '', 'gblur=sigma=1.5,', 'eq=brightness=-0.2:contrast=0.5,'][j % 4];
          out.push({ name: `johns-${p}-${f}-${s}${pre ? '-' + pre.slice(0, 4) : ''}`, img: still(join(DLIB, 'johns', p, f), `${pre}${at(s)}`) });
          j++;
        }
      }
    }
    if (have(OPENCV, 'opencv-doc')) for (const f of ['basketball1.png', 'basketball2.png']) out.push({ name: `ocv-${f}`, img: still(join(OPENCV, f), fit) });
    if (have(SKIMAGE, 'python3-skimage')) out.push({ name: 'sk-camera', img: still(join(SKIMAGE, 'camera.png'), fit) });
    for (const fw of [40, 45, 55, 60]) out.push({ name: `ast-${fw}px`, img: astAt({ scale: fw / 90 }) });
    for (const fw of [45, 60]) out.push({ name: `ast-${fw}px-rot30`, img: astAt({ scale: fw / 90, rotation_deg: 30 }) });
    out.push({ name: 'ast-dim-0.15', img: lowLight(astAt({ scale: 2 }), 0.15, 6) });
    out.push({ name: 'ast-dim-0.12-small', img: lowLight(astAt({ scale: 1 }), 0.12, 4) });
    out.push({ name: 'ast-blur6', img: boxBlur(astAt({ scale: 2 }), W, H, 6) });
    out.push({ name: 'ast-blur2-small', img: boxBlur(astAt({ scale: 0.8 }), W, H, 2) });
    const base = astAt({ scale: 2.5 });
    out.push({ name: 'ast-occl-eye', img: fillEllipse(base, W, H, W / 2 - 40, H / 2 - 25, 40, 28, [196, 150, 130]) });
    out.push({ name: 'ast-occl-mouth', img: fillEllipse(base, W, H, W / 2, H / 2 + 70, 70, 40, [196, 150, 130]) });
    out.push({ name: 'ast-occl-hand', img: fillEllipse(base, W, H, W / 2 + 60, H / 2 + 60, 90, 60, [200, 160, 140], 10) });
    out.push({ name: 'ast-occl-bar', img: fillEllipse(base, W, H, W / 2, H / 2 - 25, 130, 18, [20, 20, 20]) });
    return out;
  }

  function freshNonFaces() {
    const out = [];
    if (have(OPENCV, 'opencv-doc')) {
      out.push(...baboon({
        'fresh-rot15': 'rotate=15*PI/180:fillcolor=gray,FIT',
        'fresh-rot-40': 'rotate=-40*PI/180:fillcolor=gray,FIT',
        'fresh-mirror-rot-15': 'hflip,rotate=-15*PI/180:fillcolor=gray,FIT',
        'fresh-200px-corner': `scale=200:200,pad=${W}:${H}:480:300:gray`,
        'fresh-300px-corner': `scale=300:300,pad=${W}:${H}:20:20:gray`,
        'fresh-400px': at(400),
        'fresh-crop-nose': 'crop=256:256:128:64,FIT',
        'fresh-crop-tall': 'crop=300:400:106:100,FIT',
        'fresh-desat': 'eq=saturation=0.4,FIT',
        'fresh-sat': 'eq=saturation=1.8,FIT',
        'fresh-boxblur': 'boxblur=2,FIT',
        'fresh-upside-down': 'vflip,FIT',
        'fresh-bright': 'eq=brightness=0.15,FIT',
        'fresh-scale-160-up': 'scale=160:160,scale=512:512,FIT',
      }));
    }
    if (have(DLIB, 'libdlib19.1 examples')) {
      const dogs = join(DLIB, 'faces', 'dogs.jpg');
      out.push({ name: 'fresh-dogs-mirror', img: still(dogs, `hflip,${fit}`) });
      for (const [k, c] of [['tl', '0:0'], ['tr', 'iw/2:0'], ['bl', '0:ih/2'], ['br', 'iw/2:ih/2']]) {
        out.push({ name: `fresh-dog-${k}-mirror`, img: still(dogs, `crop=iw/2:ih/2:${c},hflip,${fit}`) });
        out.push({ name: `fresh-dog-${k}-rot15`, img: still(dogs, `crop=iw/2:ih/2:${c},rotate=15*PI/180:fillcolor=gray,${fit}`) });
      }
    }
    return out;
  }

  function freshHumans() {
    const out = [];
    if (have(DLIB, 'libdlib19.1 examples')) {
      for (const f of readdirSync(join(DLIB, 'faces')).sort()) {
        if (/\.jpg$/.test(f) && f !== 'dogs.jpg') out.push({ name: `fresh-dlib-${f}-zoom`, img: still(join(DLIB, 'faces', f), `crop=iw*0.6:ih*0.6:iw*0.2:ih*0.15,${fit}`) });
      }
    }
    if (have(OPENCV, 'opencv-doc')) {
      frames(video(join(OPENCV, 'Megamind_bugy.avi'), 'eq(mod(n\\,7)\\,3)')).forEach((img, k) => out.push({ name: `fresh-megamind-bugy-${7 * k + 3}`, img }));
      frames(video(join(OPENCV, 'vtest.avi'), 'eq(mod(n\\,40)\\,20)')).forEach((img, k) => out.push({ name: `fresh-vtest-${40 * k + 20}`, img }));
    }
    return out;
  }

  return { heldoutNonFaces, heldoutHumans, freshNonFaces, freshHumans };
}
