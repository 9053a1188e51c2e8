import { EdgeError } from '../../edge-error.ts';

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** RFC 7644 §3.12 scimType values we answer with. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'sensitive';

/** An error answered as RFC 7644 §3.12 says: the Error schema, `status` as a string, `scimType`. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: ScimType,
  ) {
    super(detail);
    this.name = 'ScimError';
  }

  body(): Record<string, unknown> {
    return {
      schemas: [SCIM_ERROR_SCHEMA],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.detail,
    };
  }
}

/** The SCIM form of the edge's own errors (a rule of the people path refused the change). */
export function scimErrorOf(error: unknown): ScimError | null {
  if (error instanceof ScimError) return error;
  if (!(error instanceof EdgeError)) return null;
  switch (error.code) {
    case 'USER_EXISTS':
      return new ScimError(409, error.message, 'uniqueness');
    case 'USER_NOT_FOUND':
      return new ScimError(404, error.message);
    case 'LAST_ADMIN':
      return new ScimError(409, `${error.message} (LAST_ADMIN)`, 'mutability');
    case 'FORBIDDEN':
      return new ScimError(403, error.message);
    case 'SCIM_TOKEN_INVALID':
      return new ScimError(401, error.message);
    case 'VALIDATION_FAILED':
      return new ScimError(400, error.message, 'invalidValue');
    default:
      return new ScimError(400, `${error.message} (${error.code})`);
  }
}
