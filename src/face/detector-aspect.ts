/**
 * The detector's view of wide and tall frames. Human's BlazeFace resizes the whole frame to its 256x256 input
 * (face/blazeface.ts getBoxes; its `square` option pads, but maps the boxes back wrongly: "TODO fix this math"), so a
 * frame wider than it is tall squashes every face sideways by the frame's aspect ratio. BlazeFace is trained on faces
 * of their own shape (MediaPipe's face-detection graph letterboxes its input: ImageToTensorCalculator,
 * keep_aspect_ratio): at 4:3 and 16:9 the squash is tolerated, beyond it faces are lost (docs/face.md "Wide and tall
 * frames"). mmprep pads a frame wider than DETECTOR_PAD_ABOVE with black rows below it (taller than its inverse: black
 * columns on its right) to DETECTOR_MAX_ASPECT (16:9) before the detector, so faces are squashed no more than on 16:9
 * footage; the detector's boxes are then already in the frame's pixels (the padding is after the picture). Frames
 * within DETECTOR_PAD_ABOVE (4:3, 16:9 and its roundings such as 428x240 or 854x480, 9:16 portrait) are given to the
 * detector as before, so their records do not change.
 */
export const DETECTOR_MAX_ASPECT = 16 / 9;
/** Frames up to this aspect ratio (either way) are not padded: 16:9 rounded to whole pixels is up to 1.79. */
export const DETECTOR_PAD_ABOVE = 1.8;

/** Rows to add below and columns to add right of a width x height frame before the detector ([0, 0]: none). */
export function detectorPadding(width: number, height: number, padAbove = DETECTOR_PAD_ABOVE, maxAspect = DETECTOR_MAX_ASPECT): [number, number] {
  if (width > height * padAbove) return [Math.ceil(width / maxAspect) - height, 0];
  if (height > width * padAbove) return [0, Math.ceil(height / maxAspect) - width];
  return [0, 0];
}
