/** Test-time decoding through mmprep's own decoders. */
import { VideoDecoder } from '../../src/media/decode-video.js';

/** Decodes a video at 5 fps, 160 px, to its end through mmprep's VideoDecoder and returns the frame count. */
export async function countDecodedFrames(file: string): Promise<number> {
  const dec = await VideoDecoder.open(file, { fps: 5, maxSide: 160 });
  let n = 0;
  for await (const f of dec) {
    n++;
    dec.release(f.data);
  }
  return n;
}
