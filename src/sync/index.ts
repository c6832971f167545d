/** mmprep sync as a library (clock.ts, the SyncMap shape and loadClock, is exported from src/index.ts directly). */
export * from './session.js';
export * from './tone.js';
export * from './flash.js';
export * from './xcorr.js';
export * from './windows.js';
export * from './scan-audio.js';
export * from './scan-video.js';
