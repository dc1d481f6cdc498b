import { describe, expect, it } from 'vitest';

import { expandQuery, SYNONYM_WEIGHT } from '../../../../src/gateway/search/search-synonyms.js';
import { splitWords, stem, termsOf } from '../../../../src/gateway/search/search-terms.js';

describe('splitWords', () => {
  it.each([
    ['read_text_file', ['read', 'text', 'file']],
    ['readTextFile', ['read', 'text', 'file']],
    ['get-resource-links', ['get', 'resource', 'links']],
    ['memory__create_entities', ['memory', 'create', 'entities']],
    ['JSONSchema', ['json', 'schema']],
    ['entityType', ['entity', 'type']],
    ['sqlite.read_query v2', ['sqlite', 'read', 'query', 'v2']],
    ["What's in config.yaml?", ['what', 's', 'in', 'config', 'yaml']],
    ['Données façade', ['données', 'façade']],
  ])('splits %j into lower-case words', (text, words) => {
    expect(splitWords(text)).toEqual(words);
  });
});

describe('stem', () => {
  it.each([
    ['files', 'file'],
    ['entities', 'entity'],
    ['directories', 'directory'],
    ['searches', 'search'],
    ['indexes', 'index'],
    ['processes', 'process'],
    ['listing', 'list'],
    ['running', 'run'],
    ['called', 'call'],
    ['status', 'status'],
    ['analysis', 'analysis'],
  ])('reduces %s to the same term as its base form', (word, base) => {
    expect(stem(word)).toBe(stem(base));
  });

  it('maps the forms of a verb to one term', () => {
    expect(new Set(['create', 'creates', 'created', 'creating'].map(stem)).size).toBe(1);
    expect(new Set(['rename', 'renamed', 'renaming'].map(stem)).size).toBe(1);
  });

  it('leaves short words and words without a vowel before the suffix alone', () => {
    expect(stem('get')).toBe('get');
    expect(stem('string')).toBe('string');
    expect(stem('need')).toBe('need');
  });
});

describe('termsOf', () => {
  it('drops stopwords and single letters, keeps repeats', () => {
    expect(termsOf('Show me all the files in a folder, then the files of another')).toEqual([
      stem('show'),
      stem('files'),
      stem('folder'),
      stem('files'),
      stem('another'),
    ]);
    expect(termsOf('a b')).toEqual([]);
  });
});

describe('expandQuery', () => {
  it('gives each query term its synonyms at a lower weight, one concept per distinct term', () => {
    const concepts = expandQuery(termsOf('remove the folder remove'));
    expect(concepts).toHaveLength(2);
    const [remove, folder] = concepts;
    expect(remove?.get(stem('remove'))).toBe(1);
    expect(remove?.get(stem('delete'))).toBe(SYNONYM_WEIGHT);
    expect(folder?.get(stem('directory'))).toBe(SYNONYM_WEIGHT);
  });

  it('leaves a word without synonyms alone', () => {
    expect(expandQuery(['weather'])).toEqual([new Map([['weather', 1]])]);
  });
});
