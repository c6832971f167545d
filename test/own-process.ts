/**
 * The test files that run in a process of their own (vitest's `isolate`, test/vitest.config.ts); every other file
 * shares its worker process with the files before it (one Node start-up and one load of mmprep's modules per worker,
 * not per file: ~0.6 CPU s a file). A file belongs here when it changes what the files after it would see in that
 * process: process.env, the cwd, vi.mock/vi.spyOn, fluent-ffmpeg's path (useFfmpegWrapper). A file that runs the
 * face models in the test process itself (tfjs's backend and Human's hooks are per process) and changes nothing else
 * is in FACE_MODELS below: those share processes among themselves only. test/own-process.test.ts fails for a file
 * that does either and is not listed. extract-signals shares a worker: what it calls in the test
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
].map((name) => `test/${name}.test.ts`);

/**
 * The files that run the face models in the test process and change nothing else of it: they share worker processes
 * among themselves (test/vitest.config.ts, project face-models), never with the other files. What they leave behind is
 * what the product's kept face workers leave from one session's file to the next (src/face/pool.ts): tfjs's backends,
 * Human's module state and the hooks on globalThis that backend.ts patches in, which every FaceEngine sets again on
 * creation and on each frame (its start-up check is a detector frame: no tracked face carries over). A new process per
 * file cost each of them Node's start, vitest's runner and the load of tfjs, Human and the wasm backend again.
 * test/own-process.test.ts fails for a file here that sets the environment, mocks, changes any other process state, or
 * makes an engine on another backend than wasm (the cpu one): a wasm engine after it in that process fails to start.
 */
export const FACE_MODELS = [
  'face',
  'face-blinks',
  'face-cli',
  'face-decode-errors',
  'face-eye-edge',
  'face-flip',
  'face-flow',
  'face-footage',
  'face-gaze',
  'face-interlaced',
  'face-larger-lost',
  'face-orientation',
  'face-other-face',
  'face-progress',
  'face-quality',
  'face-selfcheck',
  'face-short-matroska',
  'face-startup',
  'face-switch-close',
  'face-tracker-look',
  'face-tracking',
  'face-turned-agrees',
  'face-two-people',
  'media-joined-recordings',
  'media-late-start',
  'warnings-cli',
].map((name) => `test/${name}.test.ts`);
