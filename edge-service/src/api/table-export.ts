import ExcelJS from 'exceljs';
import { ApiFile } from './endpoint.ts';

/** A column of an export: its header, how a row gives its value, and the cell type in Excel. */
export interface ExportColumn<T> {
  header: string;
  type: 'text' | 'number' | 'date' | 'boolean';
  value: (row: T) => string | number | boolean | Date | null;
}

export const CSV_TYPE = 'text/csv; charset=utf-8';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * A text cell a spreadsheet would run as a formula (=, +, -, @, and tab or CR, which some programs
 * skip before looking) gets a leading apostrophe: OWASP's CSV injection advice.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvCell(
  value: string | number | boolean | Date | null,
  type: ExportColumn<unknown>['type'],
): string {
  if (value === null) return '';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'string') text = type === 'text' ? neutraliseFormula(value) : value;
  else text = String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 CSV with CRLF line ends and a UTF-8 BOM (so Excel reads accents right). */
export function toCsv<T>(columns: readonly ExportColumn<T>[], rows: Iterable<T>): string {
  const lines = [columns.map((c) => csvCell(c.header, 'text')).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(c.value(row), c.type)).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** One sheet, typed cells (numbers as numbers, dates as dates), a bold frozen header row. */
export async function toXlsx<T>(
  sheetName: string,
  columns: readonly ExportColumn<T>[],
  rows: Iterable<T>,
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'mfp-edge';
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    header: c.header,
    width: Math.max(12, c.header.length + 2),
    ...(c.type === 'date' ? { style: { numFmt: 'yyyy-mm-dd hh:mm:ss' } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  for (const row of rows) {
    // Excel cells hold values, not formulas, here: a string is written as a string cell, never parsed.
    sheet.addRow(columns.map((c) => c.value(row)));
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** An export download in the format asked for: `<baseName>.csv` or `<baseName>.xlsx` (one sheet). */
export async function exportFile<T>(
  format: 'csv' | 'xlsx',
  baseName: string,
  sheetName: string,
  columns: readonly ExportColumn<T>[],
  rows: Iterable<T>,
): Promise<ApiFile> {
  const name = `${baseName}.${format}`;
  return format === 'csv'
    ? new ApiFile(CSV_TYPE, name, toCsv(columns, rows))
    : new ApiFile(XLSX_TYPE, name, await toXlsx(sheetName, columns, rows));
}
