/**
 * The JSON Schema (draft-07, which ajv 8 validates by default) of one dataset record, specialised to the build's
 * options (which audio/face fields the sequences hold, which label keys exist).
 */
import { AUDIO_FIELDS, FACE_FIELDS, type FieldShape } from './features.js';
import type { FaceRate } from './record.js';
import { SCHEMA_VERSION } from './fingerprint.js';
import { fieldDescription } from './field-docs.js';

type Schema = Record<string, unknown>;

const num: Schema = { type: 'number' };
const numOrNull: Schema = { type: ['number', 'null'] };
const intMin0: Schema = { type: 'integer', minimum: 0 };

function elementSchema(shape: FieldShape): Schema {
  switch (shape) {
    case 'scalar':
    case 'angle':
      return numOrNull;
    case 'bool':
      return { type: ['boolean', 'null'] };
    case 'vector':
      return { oneOf: [{ type: 'array', items: num }, { type: 'null' }] };
    case 'matrix':
      return { oneOf: [{ type: 'array', items: { type: 'array', items: num } }, { type: 'null' }] };
  }
}

function functionalSchema(shape: FieldShape): Schema {
  if (shape === 'vector') {
    const arr: Schema = { oneOf: [{ type: 'array', items: num }, { type: 'null' }] };
    return { type: 'object', required: ['mean', 'std', 'n', 'n_missing'], additionalProperties: false, properties: { mean: arr, std: arr, n: intMin0, n_missing: intMin0 } };
  }
  return {
    type: 'object',
    required: ['mean', 'std', 'min', 'max', 'n', 'n_missing'],
    additionalProperties: false,
    properties: { mean: numOrNull, std: numOrNull, min: numOrNull, max: numOrNull, n: intMin0, n_missing: intMin0 },
  };
}

function meanSchema(shape: FieldShape): Schema {
  return shape === 'vector' ? { oneOf: [{ type: 'array', items: num }, { type: 'null' }] } : numOrNull;
}

function obj(props: Record<string, Schema>, required: string[] = Object.keys(props)): Schema {
  return { type: 'object', required, additionalProperties: false, properties: props };
}

/** schemaVersion: the record schema a release declares (manifest.json `schema_version`; default this mmprep's). */
type SchemaFields = { audioFields: string[]; faceFields: string[]; faceRate: FaceRate; labelKeys: string[]; schemaVersion?: number; traceKeys?: string[] };

/**
 * A record's quality object. Schema 2 (2026-12-04) adds the sync beep's share of the span (`sync_beep`,
 * `sync_beep_ratio`: trial29 SILENT-3) and the reason for null yaw/pitch (`pose_gimbal_lock_ratio`: SILENT-5).
 */
function qualitySchema(version: number): Schema {
  const ratio: Schema = { type: ['number', 'null'], minimum: 0, maximum: 1 };
  const v2: Record<string, Schema> = version >= 2 ? { sync_beep: { type: ['boolean', 'null'] }, sync_beep_ratio: ratio, pose_gimbal_lock_ratio: ratio } : {};
  return obj({
    face_detection_rate: ratio,
    voiced_ratio: ratio,
    sync_confidence: numOrNull,
    word_timing: { enum: ['source', 'interpolated', null] },
    ...v2,
    present: obj({ audio: { type: 'boolean' }, face: { type: 'boolean' }, text: { type: 'boolean' }, labels: { type: 'boolean' } }),
  });
}

export function datasetSchema(o: SchemaFields): Schema {
  const { audio, face } = sequenceSchemas(o);
  const version = o.schemaVersion ?? SCHEMA_VERSION;
  const word = wordSchema(o, version);
  const label = labelSchema();
  const traceLabel = version >= 3 ? { description: fieldDescription('trace_labels.{key}') as string, ...describeAll(traceLabelSchema(), 'trace_labels.{key}') } : traceLabelSchema();
  const traces = new Set(o.traceKeys ?? []);
  const schema: Schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `https://mmprep.dev/schema/dataset-record-v${version}.json`,
    title: 'mmprep dataset record (one segment of a session)',
    type: 'object',
    additionalProperties: false,
    required: ['id', 'session_id', 'speaker_id', 'split', 'start_s', 'end_s', 'text', 'transcript_speakers', 'words', 'audio', 'face', 'labels', 'quality'],
    properties: {
      id: { type: 'string', minLength: 1 },
      session_id: { type: 'string', minLength: 1 },
      speaker_id: { type: 'string', minLength: 1 },
      split: { type: 'string', minLength: 1 },
      start_s: num,
      end_s: num,
      text: { type: ['string', 'null'] },
      transcript_speakers: { type: 'array', items: { type: 'string' } },
      words: { type: 'array', items: word },
      audio: { oneOf: [audio, { type: 'null' }] },
      face: { oneOf: [face, { type: 'null' }] },
      labels: { type: 'object', additionalProperties: false, properties: Object.fromEntries(o.labelKeys.map((k) => [k, traces.has(k) ? traceLabel : label])) },
      quality: qualitySchema(version),
    },
  };
  return version >= 3 ? describeAll(schema, '') : schema;
}

/**
 * The schema with a `description` (field-docs.ts) on every property, at any depth (schema 3: schema.json of schema 1
 * and 2 releases has none, and `dataset validate` compares a release's schema.json with its own version's). A
 * property the table does not describe is a bug of this mmprep: thrown, so a build cannot write a field without one.
 */
function describeAll(schema: Schema, path: string): Schema {
  const out: Schema = { ...schema };
  const props = schema.properties as Record<string, Schema> | undefined;
  if (props) {
    out.properties = Object.fromEntries(
      Object.entries(props).map(([k, child]) => {
        if (typeof child.description === 'string') return [k, child]; // described already (a gold-trace label)
        // a label key may hold dots (`ratings.valence`: two labels files sharing a dimension name): described as {key}
        const p = path === 'labels' ? 'labels.{key}' : path ? `${path}.${k}` : k;
        const description = fieldDescription(p);
        if (description === null) throw new Error(`schema.ts: no description for record field ${p} (add it to src/dataset/field-docs.ts)`);
        return [k, { description, ...describeAll(child, p) }];
      }),
    );
  }
  if (schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)) out.items = describeAll(schema.items as Schema, `${path}[]`);
  if (Array.isArray(schema.oneOf)) out.oneOf = (schema.oneOf as Schema[]).map((alt) => describeAll(alt, path));
  return out;
}

/** The audio and face objects of a record: rate, grid or times, per-frame arrays of the chosen fields, functionals. */
function sequenceSchemas(o: SchemaFields): { audio: Schema; face: Schema } {
  const aFrames = obj(Object.fromEntries(o.audioFields.map((f) => [f, { type: 'array', items: elementSchema(AUDIO_FIELDS[f]) }])));
  const aFun = obj(Object.fromEntries(o.audioFields.filter((f) => AUDIO_FIELDS[f] !== 'matrix').map((f) => [f, functionalSchema(AUDIO_FIELDS[f])])));
  const fFrames = obj({ face_found: { type: 'array', items: { type: 'boolean' } }, ...Object.fromEntries(o.faceFields.map((f) => [f, { type: 'array', items: elementSchema(FACE_FIELDS[f]) }])) });
  const fFun = obj(Object.fromEntries(o.faceFields.filter((f) => FACE_FIELDS[f] !== 'matrix').map((f) => [f, functionalSchema(FACE_FIELDS[f])])));
  const audio = obj({ rate_hz: { type: 'number', exclusiveMinimum: 0 }, t0_s: num, n: { type: 'integer', minimum: 1 }, frames: aFrames, functionals: aFun });
  const face =
    o.faceRate === 'native'
      ? obj({ rate: { const: 'native' }, rate_hz: { type: 'number', exclusiveMinimum: 0 }, n: { type: 'integer', minimum: 1 }, t_s: { type: 'array', items: num }, frames: fFrames, functionals: fFun })
      : obj({ rate: { const: 'audio' }, rate_hz: { type: 'number', exclusiveMinimum: 0 }, t0_s: num, n: { type: 'integer', minimum: 1 }, frames: fFrames, functionals: fFun });
  return { audio, face };
}

/**
 * A word: text, times, and optionally the means of the (non-matrix) audio and face fields over it. Schema 3 names a
 * boolean field's mean `<field>_ratio` (it is a share, 0-1: `voiced_ratio` 0.74, where schema 1-2 wrote `voiced`) and
 * adds the frame counts: audio `n`, face `n` and `n_missing` (record.ts wordsOf).
 */
function wordSchema(o: SchemaFields, version: number): Schema {
  const means = (fields: string[], shapes: Record<string, FieldShape>) =>
    Object.fromEntries(fields.filter((f) => shapes[f] !== 'matrix').map((f) => [version >= 3 && shapes[f] === 'bool' ? `${f}_ratio` : f, meanSchema(shapes[f])]));
  const audioCounts: Record<string, Schema> = version >= 3 ? { n: intMin0 } : {};
  const faceCounts: Record<string, Schema> = version >= 3 ? { n: intMin0, n_missing: intMin0 } : {};
  return obj(
    {
      word: { type: 'string' },
      start_s: num,
      end_s: num,
      audio: obj({ ...means(o.audioFields, AUDIO_FIELDS), ...audioCounts }),
      face: obj({ ...means(o.faceFields, FACE_FIELDS), ...faceCounts }),
    },
    ['word', 'start_s', 'end_s'],
  );
}

/**
 * A gold-trace label of a record (trace-labels.ts): the trace's target (the session id), its time-weighted mean, SD,
 * sample count and coverage over the record's span and the raters' mean SD, and the dimension's agreement (null
 * figures with the reason). No raw ratings: they are the raters' traces, not in a gold file.
 */
function traceLabelSchema(): Schema {
  return obj({
    target: { type: 'string' },
    gold: obj({ mean: num, sd: numOrNull, n_samples: { type: 'integer', minimum: 1 }, coverage: { type: 'number', minimum: 0, maximum: 1 }, raters_sd: numOrNull }),
    agreement: { type: 'object', required: ['icc2', 'alpha'], properties: { icc2: { type: 'null' }, alpha: { type: 'null' } } },
  });
}

/** A label dimension of a record: its target, gold figures, the raw ratings and the dimension's agreement. */
function labelSchema(): Schema {
  return obj({
    target: { type: 'string' },
    gold: {
      type: 'object',
      additionalProperties: false,
      properties: { mean: num, median: num, sd: numOrNull, majority: { type: ['string', 'null'] }, majority_reason: { type: 'string' }, distribution: { type: 'object', additionalProperties: { type: 'integer', minimum: 1 } } },
    },
    ratings: { type: 'array', minItems: 1, items: obj({ rater: { type: 'string' }, value: { type: ['number', 'string'] } }) },
    agreement: {
      type: 'object',
      required: ['icc2', 'alpha'],
      properties: { icc2: numOrNull, icc2_ci95: { type: 'array', items: numOrNull, minItems: 2, maxItems: 2 }, alpha: numOrNull, n_targets: intMin0, n_raters: intMin0 },
    },
  });
}
