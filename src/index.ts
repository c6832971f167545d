/** mmprep as a library: the same functions the CLI calls. */
export * from './common/errors.js';
export * from './common/atomic.js';
export * from './common/records.js';
export { VERSION } from './common/version.js';
export * from './media/ffmpeg-path.js';
export * from './media/probe.js';
export * from './media/decode-audio.js';
export * from './media/decode-video.js';
export * from './sync/clock.js';
export * from './face/index.js';
export * from './audio/index.js';
export * from './agreement/index.js';
export * from './batch/extract.js';
export * from './dataset/index.js';
export * from './sync/index.js';
