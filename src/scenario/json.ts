// JSON.parse keeps the last of two equal keys and says nothing: a scenario
// that sets `durationMs` twice runs with whichever came last. This scan finds
// the first key an object repeats, by its JSON pointer, in text JSON.parse
// has already accepted (so it needs no error handling of its own).

/** The JSON pointer of the first repeated key in `text` (valid JSON), or undefined. */
export function firstDuplicateKey(text: string): string | undefined {
  // One frame per open object or array: its keys so far (objects) or its next index (arrays), and the path to it.
  const frames: { keys?: Set<string>; index: number; path: string; key?: string }[] = [];
  let expectKey = false;
  const childPath = (): string => {
    const top = frames.at(-1);
    if (top === undefined) return '';
    return `${top.path}/${top.keys === undefined ? top.index : escape(top.key ?? '')}`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const top = frames.at(-1);
      if (expectKey && top?.keys !== undefined) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return `${top.path}/${escape(key)}`;
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      const path = childPath();
      frames.push(c === '{' ? { keys: new Set(), index: 0, path } : { index: 0, path });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      frames.pop();
    } else if (c === ',') {
      const top = frames.at(-1);
      if (top?.keys !== undefined) expectKey = true;
      else if (top !== undefined) top.index++;
    }
  }
  return undefined;
}

/** A JSON pointer token (RFC 6901). */
const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');
