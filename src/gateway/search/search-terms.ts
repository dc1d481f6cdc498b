/**
 * Turns tool metadata and natural-language queries into comparable search terms: identifiers split into words
 * (`read_text_file`, `readTextFile`, `read-text-file`, `server__tool`), lower case, common words dropped, and a light
 * suffix stemmer so that "files", "listing" and "created" meet "file", "list" and "create".
 */

/** Words that say nothing about what a tool does. */
const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but nor of to in on at for from by with without into onto about as than then so if ' +
    'is are was were be been being am it its this that these those there here ' +
    'i me my mine we us our you your he him his she her they them their ' +
    'what which who whom whose how when where why ' +
    'do does did done can could would should will shall may might must ' +
    'please some any all each every just also very too now right want need like up ' +
    'tool tools using use via'
  ).split(' '),
);

/**
 * Splits text into lower-case words: at every character that is not a letter or a digit, and inside identifiers
 * at camelCase boundaries (`entityType` -> entity, type; `JSONSchema` -> json, schema).
 */
export function splitWords(text: string): string[] {
  return text
    .replace(/(\p{Ll}|\p{N})(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu}+)(\p{Lu}\p{Ll})/gu, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');
}

/**
 * A light English stemmer: plural endings, then `-ing` and `-ed`, then a final `e`. Not a full Porter stemmer, on
 * purpose: tool vocabulary is short, and over-stemming (`organization` -> `organ`) hurts more than it helps.
 * It only has to map the forms of one word to the same term, not to a dictionary word.
 */
export function stem(word: string): string {
  let term = word;
  if (term.length <= 3) return term;
  if (term.endsWith('ies') && term.length > 4) term = `${term.slice(0, -3)}y`;
  else if (/(?:ss|x|z|ch|sh)es$/.test(term)) term = term.slice(0, -2);
  else if (term.endsWith('s') && !/(?:ss|us|is)$/.test(term)) term = term.slice(0, -1);
  const suffix = /^(.*[aeiouy].*?)(?:ing|ed)$/.exec(term);
  if (suffix?.[1] && suffix[1].length >= 3) {
    term = suffix[1];
    // running -> runn -> run; but keep "call" and "press" whole.
    if (/([^aeiouylsz])\1$/.test(term)) term = term.slice(0, -1);
  }
  if (term.length > 3 && term.endsWith('e')) term = term.slice(0, -1);
  return term;
}

/** The search terms of a text, in order, repeats kept (they count as term frequency). */
export function termsOf(text: string): string[] {
  const terms: string[] = [];
  for (const word of splitWords(text)) {
    // Single letters ("a", "b" as parameter names) and stopwords match too much to mean anything.
    if (word.length < 2 || STOPWORDS.has(word)) continue;
    terms.push(stem(word));
  }
  return terms;
}
