/**
 * Session ids become folder names (OUT/<session_id>/), so they must be safe as one path segment on every common file
 * system. Returns the reason an id is unsafe, or null when it is fine.
 */
export function unsafeSessionIdReason(id: string): string | null {
  if (id.length === 0) return 'empty session_id';
  if (/[\u0000-\u001f\u007f]/.test(id)) return 'session_id holds a control character';
  if (/[/\\]/.test(id)) return 'session_id holds a path separator';
  if (id.includes('..')) return "session_id holds '..'";
  if (id.startsWith('.')) return "session_id starts with '.' (hidden or temporary file name)";
  if (id !== id.trim()) return 'session_id has leading or trailing white space';
  if (/[:*?"<>|]/.test(id)) return 'session_id holds a character not allowed in file names on Windows (: * ? " < > |)';
  if (Buffer.byteLength(id, 'utf8') > 200) return 'session_id is longer than 200 bytes';
  if (/^_/.test(id)) return "session_id starts with '_' (reserved for run files such as _errors.jsonl)";
  return null;
}
