/** `mmprep face` as a library. */
export { extractFace, FaceRun, FaceRecordBuilder, resolveFaceOptions, DEFAULT_MIN_CONFIDENCE, DEFAULT_BLINK_EAR, DEFAULT_INFERENCE_SIDE, FACE_FIELD_NAMES } from './extract.js';
export type { FaceOptions, ExtractFaceOptions, FaceRecord, FaceFields, FaceSummary, PlausibilityCandidate } from './extract.js';
export { FACE_BACKENDS, backendVersions, installHint, type FaceBackend } from './backend.js';
export { defaultModelDir, checkModelDir } from './models.js';
export { REGIONS, EAR_POINTS, MAR_POINTS, IOD_POINTS, DLIB68_FROM_MESH } from './landmarks.js';
export { doctor, formatDoctor, type DoctorReport } from './doctor.js';
export { landmarks68, REGIONS68 } from './landmarks68.js';
export { implausibility, plausibilityFeatures, PLAUSIBLE } from './plausibility.js';
export { OPENFACE_COLUMNS, openfaceRows } from './openface-csv.js';
export { eyeGaze, gazeAngles } from './gaze.js';
export { FLOW_REGIONS, FLOW_FIELD_NAMES, FARNEBACK, type FlowFields, type FlowRegion } from './flow.js';
