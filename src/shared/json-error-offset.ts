/**
 * Finds where a JSON text stops being valid. V8's `JSON.parse` message gives an offset for some errors and only the
 * offending character for others; this scanner follows the JSON grammar and returns the offset of the first
 * character that cannot continue a valid document (the text's length when it ends too early), or `undefined` when
 * the text is valid.
 */
export function findJsonErrorOffset(text: string): number | undefined {
  let index = 0;

  const skipWhitespace = (): void => {
    while (index < text.length && ' \t\n\r'.includes(text.charAt(index))) index += 1;
  };
  const expectLiteral = (literal: string): boolean => {
    for (const char of literal) {
      if (text[index] !== char) return false;
      index += 1;
    }
    return true;
  };
  const digits = (): boolean => {
    const start = index;
    while (index < text.length && text.charAt(index) >= '0' && text.charAt(index) <= '9') index += 1;
    return index > start;
  };
  const number = (): boolean => {
    if (text[index] === '-') index += 1;
    if (text[index] === '0') index += 1;
    else if (!digits()) return false;
    if (text[index] === '.') {
      index += 1;
      if (!digits()) return false;
    }
    if (text[index] === 'e' || text[index] === 'E') {
      index += 1;
      if (text[index] === '+' || text[index] === '-') index += 1;
      if (!digits()) return false;
    }
    return true;
  };
  const string = (): boolean => {
    index += 1; // opening quote
    while (index < text.length) {
      const char = text.charAt(index);
      if (char === '"') {
        index += 1;
        return true;
      }
      if (char < ' ') return false;
      if (char === '\\') {
        index += 1;
        const escape = text.charAt(index);
        if (escape === 'u') {
          for (let hex = 1; hex <= 4; hex += 1) {
            if (!/[0-9a-fA-F]/.test(text.charAt(index + hex))) {
              index += hex;
              return false;
            }
          }
          index += 4;
        } else if (!'"\\/bfnrt'.includes(escape) || escape === '') {
          return false;
        }
      }
      index += 1;
    }
    return false;
  };
  const value = (): boolean => {
    skipWhitespace();
    const char = text[index];
    if (char === '{') return container('}', true);
    if (char === '[') return container(']', false);
    if (char === '"') return string();
    if (char === 't') return expectLiteral('true');
    if (char === 'f') return expectLiteral('false');
    if (char === 'n') return expectLiteral('null');
    return number();
  };
  const container = (close: string, isObject: boolean): boolean => {
    index += 1;
    skipWhitespace();
    if (text[index] === close) {
      index += 1;
      return true;
    }
    for (;;) {
      if (isObject) {
        skipWhitespace();
        if (text[index] !== '"' || !string()) return false;
        skipWhitespace();
        if (text[index] !== ':') return false;
        index += 1;
      }
      if (!value()) return false;
      skipWhitespace();
      if (text[index] === ',') {
        index += 1;
        continue;
      }
      if (text[index] !== close) return false;
      index += 1;
      return true;
    }
  };

  if (!value()) return Math.min(index, text.length);
  skipWhitespace();
  return index < text.length ? index : undefined;
}
