/**
 * @module transports/http/validation-message
 * Words Fastify's (Ajv's) schema errors for people: `email must not be empty` rather than the raw
 * `body/email must NOT have fewer than 1 characters`.
 */

/** The parts of an Ajv error object we read. */
interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

/** `body.email`-style field name from an Ajv error, or `undefined` for the whole body/query. */
function fieldOf(error: SchemaError): string | undefined {
  const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const missing = error.params.missingProperty;
  if (typeof missing === 'string') return path === '' ? missing : `${path}.${missing}`;
  return path === '' ? undefined : path;
}

function phrase(error: SchemaError): string {
  const p = error.params;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(p.limit)} characters`;
    case 'type':
      return `must be ${/^[aeiou]/.test(String(p.type)) ? 'an' : 'a'} ${String(p.type)}`;
    case 'additionalProperties':
      return `has an unknown field '${String(p.additionalProperty)}'`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'minimum':
      return `must be at least ${String(p.limit)}`;
    case 'maximum':
      return `must be at most ${String(p.limit)}`;
    default:
      return error.message ?? 'is invalid';
  }
}

/**
 * One line for a failed schema check: `email must not be empty; region is required`.
 * @param context Fastify's validation context (`body`, `querystring`, `params`, `headers`).
 */
export function validationMessage(errors: readonly SchemaError[], context: string): string {
  const where = context === 'querystring' ? 'query parameter' : context === 'params' ? 'path parameter' : '';
  return errors
    .map((e) => {
      const field = fieldOf(e);
      if (field === undefined) return `the request ${context} ${phrase(e)}`;
      return `${where === '' ? '' : `${where} `}${field} ${phrase(e)}`;
    })
    .join('; ');
}
