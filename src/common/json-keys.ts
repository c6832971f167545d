/**
 * The keys of a JSON object text's top level, in order and with repeats: JSON.parse keeps the last of two equal keys
 * without a word (RFC 8259 §4 leaves duplicates to the reader), so a reader that must refuse them scans the text.
 * Call only on text JSON.parse accepted as an object.
 */
export function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && /^\s*:/.test(text.slice(j + 1, j + 64))) keys.push(JSON.parse(text.slice(i, j + 1)) as string);
      i = j;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return keys;
}

/** The first key that appears twice at the top level of a JSON object text, or null. */
export function duplicateTopLevelKey(text: string): string | null {
  const seen = new Set<string>();
  for (const k of topLevelKeys(text)) {
    if (seen.has(k)) return k;
    seen.add(k);
  }
  return null;
}
