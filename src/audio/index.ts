/** The audio library (`mmprep audio`): what src/index.ts exports. */
export { AUDIO_DEFAULTS, resolveAudioOptions, type AudioOptions } from './options.js';
export { analyzePcm, computeAudioFeatures, type AudioFeatures } from './features.js';
export { audioFrameRecords, extractAudio, summarizeAudio, writeAudioFrames, rmsDb, type AudioFrameRecord, type AudioSummary, type ExtractAudioOptions } from './extract.js';
export type { NucleiResult } from './nuclei.js';
export type { Functionals } from './functionals.js';
export { analyzeVoice, VOICE_DEFAULTS, type VoiceAnalysis, type VoiceOptions } from './voice.js';
export type { VoiceSummary } from './extract.js';
