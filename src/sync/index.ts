/** mmprep sync as a library (clock.ts, the SyncMap shape and loadClock, is exported from src/index.ts directly). */
export * from './session.js';
export * from './tone/tone.js';
export * from './flash/flash.js';
export * from './xcorr/xcorr.js';
export * from './windows.js';
export * from './tone/scan-audio.js';
export * from './flash/scan-video.js';
