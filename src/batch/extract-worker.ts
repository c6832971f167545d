/** Piscina worker entry of `mmprep extract`: one task = one session (see extract-session.ts). */
import { runSession, type SessionOutcome, type SessionTask } from './extract-session.js';

export default function extractWorker(task: SessionTask): Promise<SessionOutcome> {
  return runSession(task);
}
