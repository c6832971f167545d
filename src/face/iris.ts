/**
 * How the eye crops are fed to Human's iris model (MediaPipe Iris, Ablavatski et al. 2020: 64x64 eye crop -> 71 eye
 * contour points + 5 iris points). MediaPipe's graph (iris_landmark_left_and_right) feeds the eye on the image's left
 * (mesh 33/133, the subject's right) as is and the other eye flipped left-right, flipping its result back: the model
 * was trained on one eye orientation. Human 3.3.6 (src/face/iris.ts augmentIris) flips both crops and flips back only
 * the subject's left eye, so the subject's right eye is seen in the orientation the model was not trained on and its
 * points come back mirrored in their eye box (gaze.ts correctIris undoes that).
 *
 * The patched build (backend.ts IRIS_EXECUTE) asks globalThis.__mmprepIrisExecute(model, crops, tf) for the model's
 * output on Human's two crops (subject's left eye flipped, subject's right eye flipped, in that order):
 * - 'native' (mmprep's default since 2026-11-30): the subject's right eye is flipped back before the model, so both
 *   eyes are seen in the trained orientation (MediaPipe's); Human then reads that eye's points unflipped, which is now
 *   right. A picture's right eye and its mirror image's left eye reach the model as the same pixels (up to the crop
 *   box, placed by the face mesh), so the eye points are mirror-equivariant by construction;
 * - 'human': nothing (Human's own call; MMPREP_IRIS_MODE=human, for comparisons);
 * - 'mirror': a measurement (scripts/measure-iris-mirror.mjs): each eye is run in both orientations and the raw outputs
 *   are recorded in globalThis.__mmprepIrisCapture; the result is 'native''s. Test-time mirror averaging (the mean of
 *   a crop's result and its flipped crop's result flipped back) needs a model that labels its points by anatomy; this
 *   one labels them by the side of the crop (docs/face.md "Gaze"), so it is not offered.
 */
export const IRIS_MODES = ['native', 'human', 'mirror'] as const;
export type IrisMode = (typeof IRIS_MODES)[number];

/** Model output: 71 contour + 5 iris points, x, y, z each, in 64-px crop units. */
export const IRIS_MODEL_POINTS = 76;

interface TensorLike {
  dispose(): void;
  dataSync(): Float32Array | Int32Array | Uint8Array;
}
interface IrisTf {
  image: { flipLeftRight(t: unknown): TensorLike };
  slice(t: unknown, begin: number[], size: number[]): TensorLike;
  concat(ts: unknown[]): TensorLike;
}
interface IrisModel {
  execute(t: unknown): TensorLike;
}

/** The iris mode: 'native', or MMPREP_IRIS_MODE (a measurement switch: scripts/measure-gaze.mjs, measure-iris-mirror.mjs). */
export function irisMode(): IrisMode {
  const v = process.env.MMPREP_IRIS_MODE;
  return (IRIS_MODES as readonly string[]).includes(v ?? '') ? (v as IrisMode) : 'native';
}

/** Installs the hook for `mode` in this thread (backend.ts's patched build calls it; 'human' removes it). */
export function installIrisHook(mode: IrisMode): void {
  const g = globalThis as { __mmprepIrisExecute?: unknown; __mmprepIrisCapture?: Float32Array[] };
  if (mode === 'human') {
    delete g.__mmprepIrisExecute;
    return;
  }
  g.__mmprepIrisExecute = (model: IrisModel, crops: TensorLike, tf: IrisTf): TensorLike => {
    // Rows: Human's crops [left flipped, right flipped], then the same flipped back [left, right].
    const flipped = tf.image.flipLeftRight(crops);
    const four = mode === 'mirror' ? tf.concat([crops, flipped]) : null;
    const a = tf.slice(crops, [0, 0, 0, 0], [1, -1, -1, -1]);
    const b = tf.slice(flipped, [1, 0, 0, 0], [1, -1, -1, -1]);
    const both = tf.concat([a, b]);
    [a, b, flipped].forEach((t) => t.dispose());
    if (four) {
      const raw = model.execute(four);
      g.__mmprepIrisCapture?.push(Float32Array.from(raw.dataSync()));
      [raw, four].forEach((t) => t.dispose());
    }
    const out = model.execute(both);
    both.dispose();
    return out;
  };
}
