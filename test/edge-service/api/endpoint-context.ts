import type { z } from 'zod';
import type { AnyEndpoint, ApiActor, EndpointContext } from '../../../edge-service/src/api/endpoint.ts';
import type { AuditEntry, AuditEntryInput, AuditTrail } from '../../../edge-service/src/domain/audit.ts';
import type { EnterpriseRecord } from '../../../edge-service/src/domain/device.ts';
import type { UserAccount } from '../../../edge-service/src/domain/user.ts';

/**
 * Calls an endpoint's handler as the router does once it let the request through: params and query
 * parsed with the endpoint's own schemas (a ZodError here is the router's VALIDATION_FAILED).
 */
export async function call(
  endpoints: readonly AnyEndpoint[],
  operationId: string,
  input: {
    enterprise: EnterpriseRecord;
    actor: ApiActor;
    query?: Record<string, string>;
    params?: Record<string, string>;
  },
): Promise<unknown> {
  const endpoint = endpoints.find((e) => e.operationId === operationId);
  if (!endpoint) throw new Error(`no endpoint ${operationId}`);
  const parse = (schema: z.ZodType | undefined, value: unknown) => (schema ? schema.parse(value) : value);
  const context: EndpointContext<unknown, unknown, unknown> = {
    actor: input.actor,
    enterprise: input.enterprise,
    params: parse(endpoint.params, input.params ?? {}),
    query: parse(endpoint.query, input.query ?? {}),
    body: undefined,
    source: '127.0.0.1',
    secure: false,
    cookies: { get: () => undefined, set: () => undefined, clear: () => undefined },
  };
  const answer = await endpoint.handle(context as never);
  // What the router checks in tests (validateResponses): the answer matches its schema.
  if (!('files' in endpoint.response) && answer !== undefined) (endpoint.response as z.ZodType).parse(answer);
  return answer;
}

export function actorOf(user: UserAccount, via: ApiActor['via'] = 'session'): ApiActor {
  return { via, user, credentialId: `cred-${user.id}` };
}

/**
 * The audit trail seen from the layer above it: what was recorded, in order. The chain itself is the
 * api helper's (its own tests).
 */
export class RecordedAudit implements AuditTrail {
  readonly entries: AuditEntryInput[] = [];
  record(entry: AuditEntryInput): AuditEntry {
    this.entries.push(entry);
    const seq = this.entries.length;
    return {
      enterpriseId: entry.enterpriseId,
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      details: entry.details ?? {},
      source: entry.source ?? null,
      seq,
      id: `audit-${seq}`,
      at: new Date().toISOString(),
      hash: '',
      prevHash: '',
    };
  }
}
