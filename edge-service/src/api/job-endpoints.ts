import { z } from 'zod';
import { JOB_STATES } from '../../../protocol/index.ts';
import type { AuditTrail } from '../domain/audit.ts';
import type { EnterpriseRecord } from '../domain/device.ts';
import { describeStoredNumber } from '../domain/fax-number.ts';
import {
  JOB_RESULTS,
  type FinishedJobResult,
  type JobHistory,
  type JobHistoryEntry,
  type JobHistoryFilter,
  type JobHistoryRecipient,
} from '../domain/job-history.ts';
import { addDays, dayOf, isTimeZone, startOfDay, type CalendarDay } from '../domain/time-zone.ts';
import { EdgeError } from '../edge-error.ts';
import { defineEndpoint, type AnyEndpoint } from './endpoint.ts';
import { CSV_TYPE, exportFile, XLSX_TYPE, type ExportColumn } from './table-export.ts';
import { actorName, enterpriseOf } from './enterprise-access.ts';

/**
 * The console's "Jobs and usage" page as REST endpoints (issue 10): the enterprise's faxes with
 * filters and pagination, one job with its recipients, CSV and Excel exports (audited), and pages
 * per day and per result for the chart. Read-only: admins, reseller admins and support agents
 * (the router shuts vendor-side roles out while the enterprise's restrictedAccess is on).
 *
 * Times are ISO 8601 instants (UTC). Dates given as YYYY-MM-DD are calendar days in `timeZone`
 * (IANA, default UTC): `from` is that day's first instant, `to` includes that whole day; a `to`
 * with a time is exclusive. The usage chart counts days in the same zone.
 */
export interface JobEndpointDeps {
  history: JobHistory;
  audit: AuditTrail;
  now?: () => Date;
}

const ACCESS = ['admin', 'reseller-admin', 'support-agent'] as const;
/** An export holds at most this many jobs: past it, the filter must be narrowed. */
export const MAX_EXPORT_ROWS = 50_000;
/** The usage chart covers at most this many days. */
export const MAX_USAGE_DAYS = 400;
const DEFAULT_USAGE_DAYS = 30;

// ---------------------------------------------------------------------------------------------
// Schemas (the OpenAPI document is generated from these)

const Instant = z.string().describe('ISO 8601 instant (UTC)');
const DateBound = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .describe('YYYY-MM-DD (a day in timeZone) or an ISO 8601 date-time with its offset');
const TimeZone = z
  .string()
  .max(64)
  .refine(isTimeZone, 'not an IANA time zone the edge knows (e.g. Europe/Paris, UTC)')
  .describe('IANA time zone of YYYY-MM-DD dates and of the chart days; default UTC');

const JobFilterQuery = z.strictObject({
  from: DateBound.optional().describe('created at or after'),
  to: DateBound.optional().describe('created before (a YYYY-MM-DD day is included)'),
  user: z.string().min(1).max(64).optional().describe('user id'),
  device: z.string().min(1).max(64).optional().describe('device id'),
  result: z.enum(JOB_RESULTS).optional(),
  source: z.enum(['panel', 'email']).optional().describe('panel: scanned at a printer; email: email-to-fax'),
  timeZone: TimeZone.optional(),
});

export const JobListQuery = JobFilterQuery.extend({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

export const JobExportQuery = JobFilterQuery.extend({
  format: z.enum(['csv', 'xlsx']).default('csv'),
});

export const JobUsageQuery = z.strictObject({
  from: DateBound.optional().describe('first day (default: 29 days before to)'),
  to: DateBound.optional().describe('last day, included (default: today)'),
  timeZone: TimeZone.optional(),
});

const JobIdParams = z.strictObject({ id: z.string().min(1).max(64) });

const ErrorInfo = z.object({ code: z.string(), message: z.string() });
const Country = z.object({
  code: z.string().describe('ISO 3166-1 alpha-2'),
  name: z.string().describe('English short name'),
});
const RecipientStateSchema = z.enum(['pending', 'dialing', 'sending', 'delivered', 'failed', 'retry-wait']);

export const JobDestination = z.object({
  number: z.string().describe('E.164'),
  display: z.string().describe('international format'),
  country: Country.nullable().describe('null for non-geographic numbers'),
  state: RecipientStateSchema,
  error: ErrorInfo.nullable(),
});

export const JobSummary = z.object({
  id: z.string(),
  seq: z.number().int(),
  createdAt: Instant,
  finishedAt: Instant.nullable(),
  state: z.enum(JOB_STATES),
  result: z.enum(JOB_RESULTS),
  user: z.object({ id: z.string(), displayName: z.string(), email: z.string() }).nullable(),
  device: z.object({ id: z.string(), name: z.string() }),
  pages: z.number().int().describe('pages of the document'),
  pagesSent: z.number().int(),
  destinations: z.array(JobDestination),
  error: ErrorInfo.nullable(),
  durationMs: z.number().int().nullable().describe('created to finished; null while it runs'),
  lineMs: z.number().int().describe('fax line in use, dialling to end of sending, over every attempt'),
  attempts: z.number().int(),
  source: z.enum(['panel', 'email']).describe('panel: scanned at a printer; email: email-to-fax'),
  emailSender: z.string().nullable().describe('email jobs: the address the fax was emailed from'),
});

export const JobRecipientDetail = JobDestination.extend({
  position: z.number().int(),
  pagesSent: z.number().int(),
  attempts: z.number().int(),
  dialStartedAt: Instant.nullable().describe('last attempt'),
  dialEndedAt: Instant.nullable().describe('last attempt'),
  lineMs: z.number().int(),
});

export const JobDetail = JobSummary.extend({
  options: z.object({
    resolution: z.string(),
    source: z.string(),
    duplex: z.boolean(),
  }),
  resentAfterRestart: z.number().int(),
  recipients: z.array(JobRecipientDetail),
});

export const JobPage = z.object({
  items: z.array(JobSummary),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

const PagesByResult = {
  delivered: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  partial: z.number().int(),
};

export const JobUsage = z.object({
  timeZone: z.string(),
  from: z.iso.date(),
  to: z.iso.date().describe('included'),
  days: z
    .array(z.object({ day: z.iso.date(), ...PagesByResult }))
    .describe('every day of the range, oldest first'),
  totals: z.object({
    ...PagesByResult,
    pages: z.number().int(),
    jobs: z.number().int().describe('finished jobs'),
  }),
});

// ---------------------------------------------------------------------------------------------

type FilterQuery = z.output<typeof JobFilterQuery>;

/** A date bound as an instant: a day's first instant in the zone, or the next day's for `to`. */
function instantOf(bound: string, timeZone: string, end: boolean): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(bound)) return startOfDay(end ? addDays(bound, 1) : bound, timeZone);
  return new Date(bound);
}

function filterOf(enterprise: EnterpriseRecord, query: FilterQuery): JobHistoryFilter {
  const timeZone = query.timeZone ?? 'UTC';
  const filter: JobHistoryFilter = { enterpriseId: enterprise.id };
  if (query.from !== undefined) filter.from = instantOf(query.from, timeZone, false).toISOString();
  if (query.to !== undefined) filter.to = instantOf(query.to, timeZone, true).toISOString();
  if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to)
    throw new EdgeError(
      'VALIDATION_FAILED',
      'The request is not valid: query.from must come before query.to.',
    );
  if (query.user !== undefined) filter.userId = query.user;
  if (query.device !== undefined) filter.deviceId = query.device;
  if (query.result !== undefined) filter.result = query.result;
  if (query.source !== undefined) filter.source = query.source;
  return filter;
}

function destinationOf(r: JobHistoryRecipient): z.input<typeof JobDestination> {
  const number = describeStoredNumber(r.number);
  return {
    number: r.number,
    display: number.display,
    country: number.country,
    state: r.state,
    error: r.error,
  };
}

function durationOf(job: JobHistoryEntry): number | null {
  return job.finishedAt === null ? null : Math.max(0, Date.parse(job.finishedAt) - Date.parse(job.createdAt));
}

export function jobSummary(job: JobHistoryEntry): z.input<typeof JobSummary> {
  return {
    id: job.id,
    seq: job.seq,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    state: job.state,
    result: job.result,
    user: job.user,
    device: job.device,
    pages: job.pages,
    pagesSent: job.pagesSent,
    destinations: job.recipients.map(destinationOf),
    error: job.error ? { code: job.error.code, message: job.error.message } : null,
    durationMs: durationOf(job),
    lineMs: job.lineMs,
    attempts: job.attempts,
    source: job.source,
    emailSender: job.emailSender,
  };
}

function jobDetail(job: JobHistoryEntry): z.input<typeof JobDetail> {
  return {
    ...jobSummary(job),
    options: job.options,
    resentAfterRestart: job.resentAfterRestart,
    recipients: job.recipients.map((r) => ({
      ...destinationOf(r),
      position: r.position,
      pagesSent: r.pagesSent,
      attempts: r.attempts,
      dialStartedAt: r.dialStartedAt,
      dialEndedAt: r.dialEndedAt,
      lineMs: r.lineMs,
    })),
  };
}

const seconds = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 100) / 10);

/**
 * One row per job (what the list shows), its destinations and their countries joined with ", " in
 * recipient order; the per-destination result is in the job's detail. Numbers are numbers and
 * times are dates (UTC) in Excel; text cells are neutralised against formula injection.
 */
export const JOB_EXPORT_COLUMNS: readonly ExportColumn<JobHistoryEntry>[] = [
  { header: 'Job', type: 'text', value: (j) => j.id },
  { header: 'Created (UTC)', type: 'date', value: (j) => new Date(j.createdAt) },
  { header: 'Finished (UTC)', type: 'date', value: (j) => (j.finishedAt ? new Date(j.finishedAt) : null) },
  { header: 'User', type: 'text', value: (j) => j.user?.displayName ?? null },
  { header: 'Email', type: 'text', value: (j) => j.user?.email ?? null },
  { header: 'Device', type: 'text', value: (j) => j.device.name },
  {
    header: 'Source',
    type: 'text',
    value: (j) => (j.source === 'email' ? `email ${j.emailSender ?? ''}`.trim() : 'panel'),
  },
  { header: 'Pages', type: 'number', value: (j) => j.pages },
  { header: 'Pages sent', type: 'number', value: (j) => j.pagesSent },
  { header: 'Destinations', type: 'text', value: (j) => j.recipients.map((r) => r.number).join(', ') },
  {
    header: 'Countries',
    type: 'text',
    value: (j) => j.recipients.map((r) => describeStoredNumber(r.number).country?.code ?? '?').join(', '),
  },
  { header: 'Recipients', type: 'number', value: (j) => j.recipients.length },
  {
    header: 'Delivered to',
    type: 'number',
    value: (j) => j.recipients.filter((r) => r.state === 'delivered').length,
  },
  { header: 'Result', type: 'text', value: (j) => j.result },
  { header: 'Error', type: 'text', value: (j) => j.error?.code ?? null },
  { header: 'Duration (s)', type: 'number', value: (j) => seconds(durationOf(j)) },
  { header: 'Line time (s)', type: 'number', value: (j) => seconds(j.lineMs) },
  { header: 'Attempts', type: 'number', value: (j) => j.attempts },
];

export function jobEndpoints(deps: JobEndpointDeps): AnyEndpoint[] {
  const now = deps.now ?? (() => new Date());
  return [
    defineEndpoint({
      method: 'get',
      path: '/enterprises/{enterprise}/jobs',
      operationId: 'listJobs',
      summary: 'Faxes of the enterprise, newest first, filtered by date, user, device and result',
      tag: 'jobs',
      access: ACCESS,
      query: JobListQuery,
      response: JobPage,
      handle: ({ enterprise, query }) => {
        const filter = filterOf(enterpriseOf(enterprise), query);
        const { page, pageSize } = query;
        return {
          items: deps.history
            .list(filter, { offset: (page - 1) * pageSize, limit: pageSize })
            .map(jobSummary),
          total: deps.history.count(filter),
          page,
          pageSize,
        };
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/enterprises/{enterprise}/jobs/export',
      operationId: 'exportJobs',
      summary: 'The filtered faxes as CSV or Excel (.xlsx), one row per job; audited (jobs.export)',
      tag: 'jobs',
      access: ACCESS,
      query: JobExportQuery,
      response: { files: [CSV_TYPE, XLSX_TYPE] },
      handle: async ({ enterprise, query, actor, source }) => {
        const ent = enterpriseOf(enterprise);
        const { format, ...filterQuery } = query;
        const filter = filterOf(ent, filterQuery);
        const total = deps.history.count(filter);
        if (total > MAX_EXPORT_ROWS)
          throw new EdgeError(
            'VALIDATION_FAILED',
            `The export would hold ${total} jobs; at most ${MAX_EXPORT_ROWS} fit in one: narrow the dates or filters.`,
          );
        const rows = deps.history.list(filter, { offset: 0, limit: MAX_EXPORT_ROWS });
        // Recorded before the file leaves: an export that cannot be audited is not given out.
        deps.audit.record({
          enterpriseId: ent.id,
          actor: actorName(actor),
          action: 'jobs.export',
          details: { format, filter: filterQuery, rows: rows.length },
          source,
        });
        const stamp = now().toISOString().slice(0, 10).replaceAll('-', '');
        return exportFile(format, `jobs-${ent.slug}-${stamp}`, 'Jobs', JOB_EXPORT_COLUMNS, rows);
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/enterprises/{enterprise}/jobs/usage',
      operationId: 'jobUsage',
      summary: 'Pages per day and per result of finished faxes, for the usage chart',
      tag: 'jobs',
      access: ACCESS,
      query: JobUsageQuery,
      response: JobUsage,
      handle: ({ enterprise, query }) => {
        const ent = enterpriseOf(enterprise);
        const timeZone = query.timeZone ?? 'UTC';
        const dayOfBound = (bound: string): CalendarDay =>
          /^\d{4}-\d{2}-\d{2}$/.test(bound) ? bound : dayOf(new Date(bound), timeZone);
        const to = query.to !== undefined ? dayOfBound(query.to) : dayOf(now(), timeZone);
        const from = query.from !== undefined ? dayOfBound(query.from) : addDays(to, 1 - DEFAULT_USAGE_DAYS);
        if (from > to)
          throw new EdgeError(
            'VALIDATION_FAILED',
            'The request is not valid: query.from must not be after query.to.',
          );
        const days: CalendarDay[] = [];
        for (let day = from; day <= to && days.length <= MAX_USAGE_DAYS; day = addDays(day, 1))
          days.push(day);
        if (days.length > MAX_USAGE_DAYS)
          throw new EdgeError(
            'VALIDATION_FAILED',
            `The request is not valid: the chart covers at most ${MAX_USAGE_DAYS} days; narrow from and to.`,
          );
        const counts = new Map<CalendarDay, { day: CalendarDay } & Record<FinishedJobResult, number>>(
          days.map((day) => [day, { day, delivered: 0, failed: 0, cancelled: 0, partial: 0 }]),
        );
        const totals = { delivered: 0, failed: 0, cancelled: 0, partial: 0, pages: 0, jobs: 0 };
        const entries = deps.history.usage({
          enterpriseId: ent.id,
          from: startOfDay(from, timeZone).toISOString(),
          to: startOfDay(addDays(to, 1), timeZone).toISOString(),
        });
        for (const entry of entries) {
          const bucket = counts.get(dayOf(new Date(entry.createdAt), timeZone));
          if (!bucket) continue;
          const result: FinishedJobResult = entry.result;
          bucket[result] += entry.pages;
          totals[result] += entry.pages;
          totals.pages += entry.pages;
          totals.jobs++;
        }
        return { timeZone, from, to, days: [...counts.values()], totals };
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/enterprises/{enterprise}/jobs/{id}',
      operationId: 'getJob',
      summary: 'One fax with each recipient: state, country, attempts, line time',
      tag: 'jobs',
      access: ACCESS,
      params: JobIdParams,
      response: JobDetail,
      handle: ({ enterprise, params }) => {
        const job = deps.history.get(enterpriseOf(enterprise).id, params.id);
        if (!job) throw new EdgeError('JOB_NOT_FOUND', 'No such job in this enterprise.');
        return jobDetail(job);
      },
    }),
  ];
}
