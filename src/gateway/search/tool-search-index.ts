/**
 * Ranked keyword search over backend tools, for `search_tools`: BM25F (BM25 with per-field weights and length
 * normalisation) over a tool's name and title, its description, its parameters' names and descriptions, and the
 * name and description of its backend. Built once from the catalog; the live catalog builds a new one when its tools
 * change, not per query.
 */
import type { Tool } from '@modelcontextprotocol/server';
import { termsOf } from './search-terms.js';
import { expandQuery } from './search-synonyms.js';

/** One backend tool as the index sees it. */
export interface SearchableTool {
  /** The backend's name (what `call_backend` takes as `server`). */
  readonly backend: string;
  /** The backend's description from its config or `register_server`; may be empty. */
  readonly backendDescription: string;
  /** The name the gateway exposes the tool under (`<prefix>__<tool>`, or with a suffix after a clash). */
  readonly exposedName: string;
  /** The tool as the backend listed it, under its own name. */
  readonly tool: Tool;
}

/** A tool that matched, with its score (higher is better; only comparable within one search). */
export interface SearchHit {
  readonly entry: SearchableTool;
  readonly score: number;
}

/** Where a term was found, and how much a match there counts. */
const FIELD_WEIGHTS = {
  /** The tool's own name and title: the strongest evidence of what it does. */
  name: 3,
  description: 1,
  /** Names of the parameters (at any depth), which often name the objects a tool works on. */
  parameterNames: 1,
  /** Descriptions of the parameters. */
  parameterDocs: 0.5,
  /** The backend's name and description: tells apart two backends with the same tools, without outweighing a tool. */
  backend: 0.5,
} as const;

type Field = keyof typeof FIELD_WEIGHTS;
const FIELDS = Object.keys(FIELD_WEIGHTS) as Field[];

/** BM25's usual constants: term-frequency saturation and strength of length normalisation. */
const K1 = 1.2;
const B = 0.75;
/** How deep parameter schemas are walked (objects in arrays in objects...). */
const MAX_SCHEMA_DEPTH = 4;

interface IndexedTool {
  readonly entry: SearchableTool;
  /** Per field: term -> occurrences. */
  readonly frequencies: Readonly<Record<Field, ReadonlyMap<string, number>>>;
  readonly lengths: Readonly<Record<Field, number>>;
}

/** An immutable index of tools. */
export class ToolSearchIndex {
  private readonly documentFrequency = new Map<string, number>();
  private readonly averageLength: Record<Field, number>;

  private constructor(private readonly tools: readonly IndexedTool[]) {
    const totals = Object.fromEntries(FIELDS.map((field) => [field, 0])) as Record<Field, number>;
    for (const tool of tools) {
      const seen = new Set<string>();
      for (const field of FIELDS) {
        totals[field] += tool.lengths[field];
        for (const term of tool.frequencies[field].keys()) seen.add(term);
      }
      for (const term of seen) this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
    }
    this.averageLength = Object.fromEntries(
      FIELDS.map((field) => [field, tools.length === 0 ? 0 : totals[field] / tools.length]),
    ) as Record<Field, number>;
  }

  /** Indexes `entries`, in the order given (ties in score keep that order). */
  static build(entries: readonly SearchableTool[]): ToolSearchIndex {
    return new ToolSearchIndex(entries.map(indexTool));
  }

  /** The tools of `backend` (all of them when none is given), in catalog order. */
  entries(backend?: string): SearchableTool[] {
    return this.tools
      .map((tool) => tool.entry)
      .filter((entry) => backend === undefined || entry.backend === backend);
  }

  /**
   * The tools matching `query`, best first, at most `limit` of them, optionally only those of `backend`, and how
   * many matched in all. Tools that share no term with the query are left out, so the result may be empty.
   */
  search(
    query: string,
    options: { readonly backend?: string | undefined; readonly limit: number },
  ): { readonly hits: SearchHit[]; readonly total: number } {
    const concepts = expandQuery(termsOf(query));
    const hits: SearchHit[] = [];
    for (const tool of this.tools) {
      if (options.backend !== undefined && tool.entry.backend !== options.backend) continue;
      const score = this.score(tool, concepts);
      if (score > 0) hits.push({ entry: tool.entry, score });
    }
    // Array.prototype.sort is stable: equal scores keep catalog order.
    hits.sort((a, b) => b.score - a.score);
    return { hits: hits.slice(0, options.limit), total: hits.length };
  }

  /** Sum over the query's concepts of the BM25F score of the concept's best term for this tool. */
  private score(tool: IndexedTool, concepts: readonly ReadonlyMap<string, number>[]): number {
    let score = 0;
    for (const concept of concepts) {
      let best = 0;
      for (const [term, weight] of concept) best = Math.max(best, weight * this.termScore(tool, term));
      score += best;
    }
    return score;
  }

  private termScore(tool: IndexedTool, term: string): number {
    const documents = this.documentFrequency.get(term);
    if (documents === undefined) return 0;
    let frequency = 0;
    for (const field of FIELDS) {
      const occurrences = tool.frequencies[field].get(term);
      if (occurrences === undefined) continue;
      const average = this.averageLength[field] || 1;
      frequency += (FIELD_WEIGHTS[field] * occurrences) / (1 - B + (B * tool.lengths[field]) / average);
    }
    if (frequency === 0) return 0;
    const idf = Math.log(1 + (this.tools.length - documents + 0.5) / (documents + 0.5));
    return idf * ((frequency * (K1 + 1)) / (frequency + K1));
  }
}

function indexTool(entry: SearchableTool): IndexedTool {
  const { tool } = entry;
  const parameterNames: string[] = [];
  const parameterDocs: string[] = [];
  collectParameters(tool.inputSchema, parameterNames, parameterDocs, 0);
  const texts: Record<Field, string> = {
    name: `${tool.name} ${tool.title ?? ''} ${tool.annotations?.title ?? ''}`,
    description: tool.description ?? '',
    parameterNames: parameterNames.join(' '),
    parameterDocs: parameterDocs.join(' '),
    backend: `${entry.backend} ${entry.backendDescription}`,
  };
  const frequencies = {} as Record<Field, Map<string, number>>;
  const lengths = {} as Record<Field, number>;
  for (const field of FIELDS) {
    const terms = termsOf(texts[field]);
    const counts = new Map<string, number>();
    for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    frequencies[field] = counts;
    lengths[field] = terms.length;
  }
  return { entry, frequencies, lengths };
}

/** Names and descriptions of the properties of a JSON Schema, nested ones included (`entities[].entityType`). */
function collectParameters(schema: unknown, names: string[], docs: string[], depth: number): void {
  if (depth > MAX_SCHEMA_DEPTH || !isRecord(schema)) return;
  if (isRecord(schema.properties)) {
    for (const [name, property] of Object.entries(schema.properties)) {
      names.push(name);
      if (isRecord(property) && typeof property.description === 'string') docs.push(property.description);
      collectParameters(property, names, docs, depth + 1);
    }
  }
  collectParameters(schema.items, names, docs, depth + 1);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches)) {
      for (const branch of branches) collectParameters(branch, names, docs, depth + 1);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
