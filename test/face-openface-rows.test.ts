/**
 * `--format openface` rows (src/face/openface-csv.ts) as an OpenFace user reads them (ttrial44a items 3 and 4): no
 * X/Y/Z columns under OpenFace's names (millimetres there, pixels and a relative depth here: a script would compute
 * millimetres from pixels without a word; a missing column fails loudly), and a frame without a face carries
 * face_id 0 and confidence 0 with success 0, as OpenFace writes them. Records built here; no face model involved.
 */
import { describe, expect, it } from 'vitest';
import { OPENFACE_COLUMNS, OPENFACE_MISSING, openfaceRows } from '../src/face/openface-csv.js';
import type { FaceRecord } from '../src/face/index.js';

describe('--format openface rows', () => {
  it("leaves out OpenFace's millimetre landmarks X/Y/Z and lists them with the columns it cannot fill", () => {
    expect(OPENFACE_COLUMNS.filter((c) => /^[XYZ]_\d+$/.test(c))).toEqual([]);
    expect(OPENFACE_COLUMNS).toContain('x_8');
    expect(OPENFACE_COLUMNS).toContain('y_67');
    for (const c of ['X_0..67', 'Y_0..67', 'Z_0..67']) expect(OPENFACE_MISSING).toContain(c);
  });

  it('writes face_id 0, confidence 0 and success 0 on a frame without a face, the other cells empty', () => {
    const rec = { frame: 4, t_s: 0.16, face_found: false, faces: [] } as unknown as FaceRecord;
    const rows = openfaceRows(rec);
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(Object.keys(row).map((k) => k.trim())).toEqual(OPENFACE_COLUMNS);
    expect(row.frame).toBe('5');
    expect(row[' face_id']).toBe(' 0');
    expect(row[' timestamp']).toBe(' 0.16');
    expect(row[' confidence']).toBe(' 0');
    expect(row[' success']).toBe(' 0');
    const rest = OPENFACE_COLUMNS.slice(5).map((c) => row[` ${c}`]);
    expect(rest.every((v) => v === '')).toBe(true);
  });
});
