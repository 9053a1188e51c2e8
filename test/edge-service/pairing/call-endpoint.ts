import type { AnyEndpoint, ApiActor, EndpointContext } from '../../../edge-service/src/api/endpoint.ts';
import type { EnterpriseRecord } from '../../../edge-service/src/domain/device.ts';
import { EdgeError } from '../../../edge-service/src/edge-error.ts';

/**
 * Calls one endpoint as the REST router does — params, query and body through the endpoint's own
 * schemas (VALIDATION_FAILED when they do not match), then the handler, then the response schema —
 * for tests of the endpoints before the router is composed into the edge.
 */
export async function callEndpoint(
  endpoints: AnyEndpoint[],
  operationId: string,
  input: { params?: object; query?: object; body?: unknown },
  context: { actor: ApiActor | null; enterprise: EnterpriseRecord; source?: string },
): Promise<unknown> {
  const endpoint = endpoints.find((e) => e.operationId === operationId);
  if (!endpoint) throw new Error(`no endpoint ${operationId}`);
  const parse = (schema: AnyEndpoint['body'], value: unknown, what: string) => {
    if (!schema) return value;
    const result = schema.safeParse(value);
    if (!result.success)
      throw new EdgeError(
        'VALIDATION_FAILED',
        `${what}: ${result.error.issues.map((i: { path: PropertyKey[]; message: string }) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    return result.data;
  };
  const ctx: EndpointContext<unknown, unknown, unknown> = {
    actor: context.actor,
    enterprise: context.enterprise,
    params: parse(endpoint.params, { enterprise: context.enterprise.slug, ...input.params }, 'params'),
    query: parse(endpoint.query, input.query ?? {}, 'query'),
    body: parse(endpoint.body, input.body ?? {}, 'body'),
    source: context.source ?? '127.0.0.1',
    secure: false,
    cookies: { get: () => undefined, set: () => undefined, clear: () => undefined },
  };
  const answer = await endpoint.handle(ctx as never);
  if ('files' in endpoint.response || endpoint.status === 204) return answer;
  const checked = endpoint.response.safeParse(answer);
  if (!checked.success) throw new Error(`${operationId} answered off its schema: ${checked.error.message}`);
  return checked.data;
}
