/** A word as a POSIX shell reads it: as it is when it is plain, else in single quotes ('Lav Audio'). */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_.:/=+@%-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `dir/rec.wav` with its extension replaced by `tail` (`dir/rec-left.wav`): a sibling file name for a suggested command. */
export function siblingName(file: string, tail: string): string {
  const dot = file.lastIndexOf('.');
  return (dot > file.lastIndexOf('/') + 1 ? file.slice(0, dot) : file) + tail;
}
