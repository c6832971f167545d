/**
 * The test files that run in a process of their own (vitest's `isolate`, test/vitest.config.ts); every other file
 * shares its worker process with the files before it (one Node start-up and one load of mmprep's modules per worker,
 * not per file: ~0.6 CPU s a file). A file belongs here when it changes what the files after it would see in that
 * process: process.env, the cwd, vi.mock/vi.spyOn, fluent-ffmpeg's path (useFfmpegWrapper), or when it runs the face
 * models in the test process itself (tfjs's backend and Human's hooks are per process). test/own-process.test.ts
 * fails for a file that does either and is not listed. extract-signals shares a worker: what it calls in the test
 * process (ExtractControl, interruptFollows) is a listener list and a timer, no signal handler or process state; its
 * signals go to the mmprep processes it starts in their own process groups.
 */
export const OWN_PROCESS = [
  // process.env, the cwd, mocks and spies, an ffmpeg wrapper
  'audio-wasm',
  'dataset-newuser-dtrial',
  'decode-sigterm',
  'extract-errors-unwritable',
  'face-crop',
  'face-workers',
  'manifest-shared',
  'media-child-death',
  'media-child-exit-code',
  // face models (tfjs, Human) in the test process
  'face',
  'face-flow',
  'face-footage',
  'face-gaze',
  'face-orientation',
  'face-progress',
  'face-quality',
  'face-selfcheck',
  'face-short-matroska',
  'face-startup',
  'face-tracking',
].map((name) => `test/${name}.test.ts`);
