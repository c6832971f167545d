/**
 * A data engineer's trial: `extract --only sync,audio --f0-floor 75` into a folder of a full run, then
 * `extract --resume --face-fps 5` said "redone ... its meta.json records face models not recorded (an mmprep before
 * 2026-12-02)": false (the run that wrote that meta.json had no face stage, so it recorded no models); the stage list
 * and the options that differed are now named. Pure: a meta.json object against a task, no media decoded.
 */
import { describe, expect, it } from 'vitest';
import { incompleteReason, type SessionMeta, type SessionTask } from '../src/batch/extract-session.js';
import { codeBuild, VERSION } from '../src/common/version.js';

const ffmpeg = { version: 'ffmpeg 5.1', fingerprint: 'aaaaaaaaaaaaaaaa' };
const models = { version: 'human 3.3.6', fingerprint: 'bbbbbbbbbbbbbbbb' };
const session = { session_id: 's01', speaker_id: 'p1', line: 2, media: [], ref_role: 'lav_audio', meta: {} };

describe('extract --resume: why a session is redone', () => {
  it('after --only sync,audio --f0-floor 75, a resume with face names the stages and the options, not face models', async () => {
    const meta = { session_id: 's01', speaker_id: 'p1', tool: { name: 'mmprep', version: VERSION, build: codeBuild(), ffmpeg }, ref_role: 'lav_audio', stages: ['sync', 'audio'], options: { f0Floor: 75 } } as unknown as SessionMeta;
    const task = { session, outDir: '/nonexistent', stages: ['sync', 'audio', 'face'], options: { faceFps: 5 }, resume: true, faceWorkers: 1, toolchain: { ffmpeg, models } } as unknown as SessionTask;
    const why = await incompleteReason('/nonexistent', meta, [], task, { faceFps: 5 } as SessionTask['options']);
    expect(why).toBe('stages sync,audio, this run sync,audio,face; stage options as typed {"f0Floor":75}, this run {"faceFps":5}: resume with the flags of the run that made the folder to skip it');
  });

  it("a difference that comes from the row's sync_options cell names that cell, not the command line's flags (ttrial51 R1)", async () => {
    const meta = { session_id: 's01', speaker_id: 'p1', tool: { name: 'mmprep', version: VERSION, build: codeBuild(), ffmpeg }, ref_role: 'lav_audio', stages: ['sync'], options: { faceFps: 2 }, made_by: { sync: { options: {} } } } as unknown as SessionMeta;
    const row = { ...session, sync_options: { ends: 'both' } };
    const task = (options: Record<string, unknown>) => ({ session: row, outDir: '/nonexistent', stages: ['sync'], options, resume: true, faceWorkers: 1, toolchain: { ffmpeg, models } }) as unknown as SessionTask;
    const byRow = await incompleteReason('/nonexistent', meta, [], task({ ends: 'both', faceFps: 2 }), { ends: 'both', faceFps: 2 } as SessionTask['options']);
    expect(byRow).toBe(`stage options as typed {"faceFps":2}, this run {"ends":"both","faceFps":2}: the manifest row's sync_options cell (line 2) gives {"ends":"both"} where the run that made the folder had {} from its row: give the row its earlier cell to skip it`);
    const both = await incompleteReason('/nonexistent', meta, [], task({ ends: 'both', faceFps: 3 }), { ends: 'both', faceFps: 3 } as SessionTask['options']);
    expect(both).toMatch(/from its row: give the row its earlier cell to skip it; for --face-fps, resume with the flags of the run that made the folder to skip it$/);
  });
});
