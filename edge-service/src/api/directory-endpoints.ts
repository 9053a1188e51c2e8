import { z } from 'zod';
import type { AuditTrail } from '../domain/audit.ts';
import type { EnterpriseRecord } from '../domain/device.ts';
import {
  DIRECTORY_LIMITS,
  type DirectoryEntry,
  type DirectoryEntryInput,
  type FaxDirectoryRepository,
} from '../domain/fax-directory.ts';
import { describeStoredNumber, parseFaxNumber } from '../domain/fax-number.ts';
import { EdgeError } from '../edge-error.ts';
import { defineEndpoint, type AnyEndpoint, type ApiActor } from './endpoint.ts';
import { actorName, ENTERPRISE_READERS, ENTERPRISE_WRITERS } from './enterprise-access.ts';
import { CSV_TYPE, exportFile, XLSX_TYPE, type ExportColumn } from './table-export.ts';

/** Text fields: trimmed; an empty optional one is stored as null (the console clears a field so). */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullable()
    .optional()
    .transform((v) => (v === '' ? null : v));

const Fields = {
  name: z.string().trim().min(1).max(DIRECTORY_LIMITS.name),
  number: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .describe("As typed: E.164, or national in the edge's default country."),
  company: optionalText(DIRECTORY_LIMITS.company),
  department: optionalText(DIRECTORY_LIMITS.department),
  notes: optionalText(DIRECTORY_LIMITS.notes),
};

export const DirectoryEntryView = z.object({
  id: z.string(),
  name: z.string(),
  /** E.164: what is stored and dialled. */
  number: z.string(),
  /** International format for people. */
  display: z.string(),
  country: z.object({ code: z.string(), name: z.string() }).nullable(),
  company: z.string().nullable(),
  department: z.string().nullable(),
  notes: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export function directoryEntryView(e: DirectoryEntry): z.input<typeof DirectoryEntryView> {
  const number = describeStoredNumber(e.number);
  return {
    id: e.id,
    name: e.name,
    number: e.number,
    display: number.display,
    country: number.country,
    company: e.company,
    department: e.department,
    notes: e.notes,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

const Id = z.strictObject({ id: z.uuid() });

const Search = {
  q: z
    .string()
    .max(100)
    .optional()
    .describe('Start of a word of the name, company or department, or of the number.'),
};

export interface DirectoryEndpointDeps {
  directory: FaxDirectoryRepository;
  audit: AuditTrail;
  /** National numbers are read in this country (the edge's MFP_EDGE_DEFAULT_COUNTRY). */
  defaultCountry: string;
}

/**
 * The enterprise fax directory (issue 11): read by support agents too, changed by administrators
 * and reseller administrators; every change, import and export is in the audit log (names are not
 * secrets, but who changed which number is what an admin asks afterwards).
 */
export function directoryEndpoints(deps: DirectoryEndpointDeps): AnyEndpoint[] {
  const base = '/enterprises/{enterprise}/directory';
  const e164 = (input: string) => parseFaxNumber(input, deps.defaultCountry).e164;

  const find = (enterprise: EnterpriseRecord, id: string): DirectoryEntry => {
    const entry = deps.directory.get(enterprise.id, id);
    if (!entry) throw new EdgeError('DIRECTORY_ENTRY_NOT_FOUND');
    return entry;
  };

  const record = (
    actor: ApiActor,
    enterprise: EnterpriseRecord,
    action: string,
    target: string | null,
    source: string,
    details: Record<string, unknown>,
  ) =>
    deps.audit.record({
      enterpriseId: enterprise.id,
      actor: actorName(actor),
      action,
      target,
      details,
      source,
    });

  const columns: ExportColumn<DirectoryEntry>[] = [
    { header: 'name', type: 'text', value: (e) => e.name },
    { header: 'number', type: 'text', value: (e) => e.number },
    { header: 'company', type: 'text', value: (e) => e.company },
    { header: 'department', type: 'text', value: (e) => e.department },
    { header: 'notes', type: 'text', value: (e) => e.notes },
  ];

  return [
    defineEndpoint({
      method: 'get',
      path: base,
      operationId: 'listDirectoryEntries',
      summary: 'The enterprise fax directory by name, searched and paginated.',
      tag: 'directory',
      access: ENTERPRISE_READERS,
      query: z.strictObject({
        ...Search,
        page: z.coerce.number().int().min(1).max(100_000).default(1),
        pageSize: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: z.object({
        items: z.array(DirectoryEntryView),
        total: z.number().int(),
        page: z.number().int(),
        pageSize: z.number().int(),
      }),
      handle(c) {
        const { q = '', page, pageSize } = c.query;
        const found = deps.directory.search(c.enterprise!.id, q, {
          offset: (page - 1) * pageSize,
          limit: pageSize,
        });
        return { items: found.items.map(directoryEntryView), total: found.total, page, pageSize };
      },
    }),
    defineEndpoint({
      method: 'get',
      path: `${base}/export`,
      operationId: 'exportDirectory',
      summary: 'The directory (or the entries matching q) as CSV or Excel, in the columns import reads.',
      tag: 'directory',
      access: ENTERPRISE_READERS,
      query: z.strictObject({ ...Search, format: z.enum(['csv', 'xlsx']).default('csv') }),
      response: { files: [CSV_TYPE, XLSX_TYPE] },
      async handle(c) {
        const { q = '', format } = c.query;
        const rows = deps.directory.search(c.enterprise!.id, q, { offset: 0, limit: 1_000_000 }).items;
        record(c.actor!, c.enterprise!, 'directory.export', null, c.source, { format, q, rows: rows.length });
        return exportFile(format, `directory-${c.enterprise!.slug}`, 'Directory', columns, rows);
      },
    }),
    defineEndpoint({
      method: 'post',
      path: base,
      operationId: 'createDirectoryEntry',
      summary:
        'Adds a name and fax number (stored E.164); 409 DIRECTORY_ENTRY_EXISTS for a number already listed.',
      tag: 'directory',
      access: ENTERPRISE_WRITERS,
      status: 201,
      body: z.strictObject(Fields),
      response: DirectoryEntryView,
      handle(c) {
        const entry = deps.directory.create(c.enterprise!.id, { ...c.body, number: e164(c.body.number) });
        record(c.actor!, c.enterprise!, 'directory.create', entry.id, c.source, {
          name: entry.name,
          number: entry.number,
        });
        return directoryEntryView(entry);
      },
    }),
    defineEndpoint({
      method: 'post',
      path: `${base}/import`,
      operationId: 'importDirectory',
      summary:
        'Adds or updates entries from CSV (header row: name,number[,company,department,notes]; the number is the key). All or nothing.',
      tag: 'directory',
      access: ENTERPRISE_WRITERS,
      maxBodyBytes: 1024 * 1024,
      body: z.strictObject({
        csv: z
          .string()
          .min(1)
          .max(1024 * 1024),
      }),
      response: z.object({ created: z.number().int(), updated: z.number().int() }),
      handle(c) {
        const inputs = importRows(c.body.csv, e164);
        const result = deps.directory.upsertMany(c.enterprise!.id, inputs);
        record(c.actor!, c.enterprise!, 'directory.import', null, c.source, {
          rows: inputs.length,
          ...result,
        });
        return result;
      },
    }),
    defineEndpoint({
      method: 'get',
      path: `${base}/{id}`,
      operationId: 'getDirectoryEntry',
      summary: 'One directory entry.',
      tag: 'directory',
      access: ENTERPRISE_READERS,
      params: Id,
      response: DirectoryEntryView,
      handle: (c) => directoryEntryView(find(c.enterprise!, c.params.id)),
    }),
    defineEndpoint({
      method: 'patch',
      path: `${base}/{id}`,
      operationId: 'updateDirectoryEntry',
      summary: 'Changes an entry (null or "" clears company, department or notes).',
      tag: 'directory',
      access: ENTERPRISE_WRITERS,
      params: Id,
      body: z
        .strictObject({
          name: Fields.name.optional(),
          number: Fields.number.optional(),
          company: Fields.company,
          department: Fields.department,
          notes: Fields.notes,
        })
        .refine((b) => Object.values(b).some((v) => v !== undefined), {
          message: 'give at least one field to change',
        }),
      response: DirectoryEntryView,
      handle(c) {
        const enterprise = c.enterprise!;
        const before = find(enterprise, c.params.id);
        const patch: Partial<DirectoryEntryInput> = {};
        for (const [key, value] of Object.entries(c.body))
          if (value !== undefined) (patch as Record<string, unknown>)[key] = value;
        if (patch.number !== undefined) patch.number = e164(patch.number);
        const after = deps.directory.update(enterprise.id, before.id, patch);
        if (!after) throw new EdgeError('DIRECTORY_ENTRY_NOT_FOUND');
        const changes = (Object.keys(patch) as (keyof DirectoryEntryInput)[])
          .filter((key) => before[key] !== after[key])
          .map((key) => ({ key, from: before[key], to: after[key] }));
        record(c.actor!, enterprise, 'directory.update', after.id, c.source, { name: after.name, changes });
        return directoryEntryView(after);
      },
    }),
    defineEndpoint({
      method: 'delete',
      path: `${base}/{id}`,
      operationId: 'deleteDirectoryEntry',
      summary: 'Removes an entry from the directory.',
      tag: 'directory',
      access: ENTERPRISE_WRITERS,
      params: Id,
      status: 204,
      response: z.undefined(),
      handle(c) {
        const entry = find(c.enterprise!, c.params.id);
        deps.directory.delete(c.enterprise!.id, entry.id);
        record(c.actor!, c.enterprise!, 'directory.delete', entry.id, c.source, {
          name: entry.name,
          number: entry.number,
        });
        return undefined;
      },
    }),
  ];
}

const IMPORT_COLUMNS = ['name', 'number', 'company', 'department', 'notes'] as const;

/**
 * The rows of an import, each validated like a POST; every wrong row is named in one refusal so an
 * admin fixes the file once. Numbers given twice are refused too (which of the two would win?).
 */
export function importRows(csv: string, e164: (input: string) => string): DirectoryEntryInput[] {
  const rows = parseCsv(csv.replace(/^\uFEFF/, '')).filter((r) => r.some((cell) => cell.trim() !== ''));
  const header = (rows.shift() ?? []).map((h) => h.trim().toLowerCase());
  const index = Object.fromEntries(IMPORT_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<
    (typeof IMPORT_COLUMNS)[number],
    number
  >;
  if (index.name < 0 || index.number < 0)
    throw new EdgeError(
      'DIRECTORY_IMPORT_INVALID',
      'The first row must name the columns: name,number and optionally company,department,notes.',
    );
  if (rows.length > DIRECTORY_LIMITS.importRows)
    throw new EdgeError(
      'DIRECTORY_IMPORT_INVALID',
      `The file has ${rows.length} rows; import at most ${DIRECTORY_LIMITS.importRows} at a time.`,
    );
  const schema = z.strictObject(Fields);
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const inputs: DirectoryEntryInput[] = [];
  rows.forEach((row, i) => {
    const line = i + 2;
    // Our own export protects cells from spreadsheet formulas with a leading ' (table-export.ts): undone here.
    const cell = (c: (typeof IMPORT_COLUMNS)[number]) =>
      index[c] >= 0 ? (row[index[c]] ?? '').replace(/^'(?=[=+\-@\t\r])/, '') : undefined;
    const parsed = schema.safeParse({
      name: cell('name'),
      number: cell('number'),
      ...(index.company >= 0 ? { company: cell('company') } : {}),
      ...(index.department >= 0 ? { department: cell('department') } : {}),
      ...(index.notes >= 0 ? { notes: cell('notes') } : {}),
    });
    if (!parsed.success) {
      problems.push(
        `row ${line}: ${parsed.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`,
      );
      return;
    }
    let number: string;
    try {
      number = e164(parsed.data.number);
    } catch (error) {
      problems.push(`row ${line}: ${(error as Error).message}`);
      return;
    }
    const first = seen.get(number);
    if (first !== undefined) {
      problems.push(`row ${line}: ${number} is already on row ${first}`);
      return;
    }
    seen.set(number, line);
    inputs.push({ ...parsed.data, number });
  });
  if (problems.length > 0)
    throw new EdgeError(
      'DIRECTORY_IMPORT_INVALID',
      `Nothing was imported. Fix ${problems.length === 1 ? 'this row' : 'these rows'}: ${problems.slice(0, 20).join(' | ')}${problems.length > 20 ? ` | and ${problems.length - 20} more` : ''}`,
    );
  return inputs;
}

/** RFC 4180: quoted cells with "" for a quote, CRLF or LF line ends, commas or semicolons (Excel in fr/de). */
export function parseCsv(text: string): string[][] {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const separator = firstLine.split(';').length > firstLine.split(',').length ? ';' : ',';
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === separator) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
