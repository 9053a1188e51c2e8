import { z } from 'zod';
import { ErrorBody } from '../../../protocol/messages.ts';
import { EDGE_VERSION } from '../version.ts';
import { CONSOLE_COOKIE_PLAIN } from './api-auth.ts';
import type { AnyEndpoint } from './endpoint.ts';

type Json = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): Json => {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  delete json.$schema;
  return json;
};

/** The properties of an object schema, as OpenAPI parameters of `where` (path or query). */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      schema: rest,
      ...(typeof description === 'string' ? { description } : {}),
    };
  });
}

const ERROR_RESPONSE = { $ref: '#/components/responses/Error' };

/**
 * The OpenAPI 3.1 document of the REST API, generated from the endpoint definitions (the same
 * objects the router mounts), so the two cannot drift. Schemas come from zod 4's toJSONSchema
 * (JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 */
export function openApiDocument(endpoints: readonly AnyEndpoint[], serverUrl = '/api/v1'): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const endpoint of endpoints) {
    const operation: Json = {
      operationId: endpoint.operationId,
      summary: endpoint.summary,
      tags: [endpoint.tag],
    };
    const params = [
      ...(endpoint.path.includes('{enterprise}')
        ? [
            {
              name: 'enterprise',
              in: 'path',
              required: true,
              description: "The enterprise's identifier (slug), e.g. demo.",
              schema: { type: 'string', pattern: '^[a-z0-9-]{2,63}$' },
            },
          ]
        : []),
      ...parameters(endpoint.params, 'path'),
      ...parameters(endpoint.query, 'query'),
    ];
    if (params.length > 0) operation.parameters = params;
    if (endpoint.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: toSchema(endpoint.body, 'input') } },
      };
    }
    const status = String(endpoint.status ?? 200);
    const response = endpoint.response;
    let success: Json;
    if ('files' in response) {
      success = {
        description: 'A file download (Content-Disposition: attachment).',
        content: Object.fromEntries(
          response.files.map((type: string) => [type, { schema: { type: 'string', format: 'binary' } }]),
        ),
      };
    } else if (status === '204') {
      success = { description: 'Done; no content.' };
    } else {
      success = {
        description: 'OK',
        content: { 'application/json': { schema: toSchema(response as z.ZodType, 'output') } },
      };
    }
    operation.responses = { [status]: success, '4XX': ERROR_RESPONSE, '5XX': ERROR_RESPONSE };
    operation.security = endpoint.access === 'public' ? [] : [{ consoleSession: [] }, { apiToken: [] }];
    if (Array.isArray(endpoint.access)) operation['x-roles'] = endpoint.access;
    (paths[endpoint.path] ??= {})[endpoint.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'mfp-edge REST API',
      version: EDGE_VERSION,
      description:
        'The admin console and scripts use the same API. Authenticate with a console session cookie ' +
        '(state-changing requests also send X-CSRF-Token from GET /session) or a personal API token ' +
        '(Authorization: Bearer mfpe_…, created in the console). Errors are {"error":{"code","message"}} ' +
        'with a stable code. Query values are strings on the wire; numbers and booleans are converted.',
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: { Error: toSchema(z.object({ error: ErrorBody }), 'output') },
      responses: {
        Error: {
          description: 'An error with a stable code.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      securitySchemes: {
        consoleSession: {
          type: 'apiKey',
          in: 'cookie',
          name: CONSOLE_COOKIE_PLAIN,
          description:
            'The console session (cookie __Host-mfp-console over TLS, mfp-console over plain http).',
        },
        apiToken: { type: 'http', scheme: 'bearer', description: 'A personal API token (mfpe_…).' },
      },
    },
  };
}
