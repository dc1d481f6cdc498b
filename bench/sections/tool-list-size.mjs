/**
 * What `tools/list` puts in a model's context with ten real backends, in `--expose all` and `--expose gateway`
 * mode (see lib/tool-list-size.mjs for the fleet and how it is measured).
 */
import { formatRatio } from '../lib/format.mjs';
import { PROJECT_ROOT } from '../lib/clients.mjs';
import { measureToolListSize } from '../lib/tool-list-size.mjs';

/** @type {import('../run.mjs').Section} */
export default {
  name: 'tool-list-size',
  title: 'tools/list size with ten real backends',
  async run(context) {
    const { backends, rows } = await measureToolListSize({ projectRoot: PROJECT_ROOT, quick: context.quick });
    const all = rows.find((row) => row.mode === 'all');
    if (!all) throw new Error('no measurement in expose mode all');
    return {
      tables: [
        {
          headers: ['expose', 'tools listed', 'bytes', 'tokens (bytes/4)', 'vs all'],
          rows: rows.map((row) => [
            row.mode,
            String(row.tools),
            row.bytes.toLocaleString('en-US'),
            row.tokens.toLocaleString('en-US'),
            row.mode === 'all' ? 'baseline' : formatRatio(row.bytes / all.bytes),
          ]),
        },
      ],
      notes: [
        `${backends} backends: the official filesystem, memory and everything servers beside the example servers, some twice under other names (test/fixtures/backend-fleet.mjs). Bytes of the JSON of the tools/list result.`,
      ],
      figures: { backends, rows },
    };
  },
};
