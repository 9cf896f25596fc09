import { createReadStream } from 'node:fs';
import { parse, CsvError } from 'csv-parse';
import { DataFormatError, DataShapeError } from './errors.js';
import { isMissingCell, parseNumberCell } from './cells.js';
import {
  numericColumns,
  type Chunk,
  type ColumnSpec,
  type DataSchema,
  type Dataset,
  type ReadOptions,
} from './dataset.js';

/** Rows read to decide whether each column is numeric or categorical. */
const INFER_ROWS = 1000;
const DEFAULT_CHUNK_ROWS = 4096;

interface Row {
  cells: string[];
  line: number;
}

/** Streams records with their line numbers; the header is the first record. Ragged rows fail naming their line. */
/** A parser message without the field values it quotes (which may be binary garbage), printable. */
function cleanParserMessage(message: string): string {
  return message
    .replace(/,? ?(value|record|field) is .*$/is, '')
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 200);
}

async function* records(path: string, label: string): AsyncGenerator<Row> {
  const file = createReadStream(path);
  const parser = parse({ info: true, skip_empty_lines: true, relax_column_count: false, bom: true });
  file.on('error', (err) => parser.destroy(err));
  file.pipe(parser);
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { cells: rec.record, line: rec.info.lines };
    }
  } catch (err) {
    if (err instanceof CsvError) {
      const ctx = err as CsvError & { lines?: number; record?: string[]; columns?: unknown[] };
      if (err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
        throw new DataFormatError(
          `${label}: line ${ctx.lines}: ${cleanParserMessage(err.message).replace(/ on line \d+$/, '')}; every row must have as many fields as the header`,
        );
      }
      throw new DataFormatError(`${label}: line ${ctx.lines ?? '?'}: ${cleanParserMessage(err.message)}`);
    }
    throw err;
  } finally {
    file.destroy();
    parser.destroy();
  }
}

function inferKinds(header: string[], rows: string[][]): ColumnSpec[] {
  return header.map((name, j) => {
    const numeric = rows.every((r) => {
      const cell = r[j]!;
      return isMissingCell(cell) || parseNumberCell(cell) !== undefined;
    });
    return { name, kind: numeric ? 'numeric' : 'categorical' };
  });
}

function checkHeader(label: string, header: string[]): void {
  const seen = new Set<string>();
  for (const [j, name] of header.entries()) {
    if (!name.trim()) throw new DataFormatError(`${label}: line 1: column ${j + 1} has an empty name`);
    if (seen.has(name)) throw new DataFormatError(`${label}: line 1: column "${name}" appears twice`);
    seen.add(name);
  }
}

/** Turns parsed rows into one chunk laid out as the schema says. */
function toChunk(schema: DataSchema, header: string[], rows: Row[], offset: number): Chunk {
  const numCols = numericColumns(schema);
  const width = numCols.length;
  const index = new Map(header.map((n, j) => [n, j]));
  const numIdx = numCols.map((c) => index.get(c.name)!);
  const numeric = new Float64Array(rows.length * width);
  const missing = new Uint32Array(width);
  const invalid = new Uint32Array(width);
  for (let i = 0; i < rows.length; i++) {
    const cells = rows[i]!.cells;
    for (let k = 0; k < width; k++) {
      const cell = cells[numIdx[k]!]!;
      let v = Number.NaN;
      if (isMissingCell(cell)) missing[k]!++;
      else {
        const parsed = parseNumberCell(cell);
        if (parsed === undefined) invalid[k]!++;
        else v = parsed;
      }
      numeric[i * width + k] = v;
    }
  }
  const categorical = new Map<string, (string | null)[]>();
  for (const c of schema.columns) {
    if (c.kind !== 'categorical') continue;
    const j = index.get(c.name)!;
    categorical.set(
      c.name,
      rows.map((r) => (isMissingCell(r.cells[j]!) ? null : r.cells[j]!.trim())),
    );
  }
  return { offset, rows: rows.length, width, numeric, categorical, missing, invalid };
}

/** A CSV file with a header row. Column kinds are inferred from the first rows unless a schema is given. */
export function csvDataset(path: string, label: string = path): Dataset {
  const schema = async (): Promise<DataSchema> => {
    let header: string[] | undefined;
    const sample: string[][] = [];
    for await (const row of records(path, label)) {
      if (!header) header = row.cells;
      else sample.push(row.cells);
      if (sample.length >= INFER_ROWS) break;
    }
    if (!header) throw new DataFormatError(`${label}: the file is empty; a CSV needs a header row`);
    checkHeader(label, header);
    const columns = inferKinds(header, sample);
    return { format: 'csv', columns, featureShape: [columns.filter((c) => c.kind === 'numeric').length] };
  };

  async function* chunks(options: ReadOptions = {}): AsyncGenerator<Chunk> {
    const use = options.schema ?? (await schema());
    const chunkRows = Math.max(1, options.chunkRows ?? DEFAULT_CHUNK_ROWS);
    let header: string[] | undefined;
    let rows: Row[] = [];
    let offset = 0;
    for await (const row of records(path, label)) {
      if (!header) {
        header = row.cells;
        const missingCols = use.columns.filter((c) => !header!.includes(c.name)).map((c) => c.name);
        if (missingCols.length) {
          throw new DataShapeError(
            `${label}: line 1: column(s) ${missingCols.join(', ')} missing; the header has ${header.join(', ')}`,
          );
        }
        continue;
      }
      rows.push(row);
      if (rows.length >= chunkRows) {
        yield toChunk(use, header, rows, offset);
        offset += rows.length;
        rows = [];
      }
    }
    if (rows.length && header) yield toChunk(use, header, rows, offset);
  }

  return { path, label, format: 'csv', schema, chunks, header: () => csvHeader(path, label) };
}

/** The header of a CSV file (first record), for schema checks that must see extra columns too. */
export async function csvHeader(path: string, label: string = path): Promise<string[]> {
  for await (const row of records(path, label)) return row.cells;
  return [];
}
