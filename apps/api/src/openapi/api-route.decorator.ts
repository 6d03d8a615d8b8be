import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, type HeaderObject, type ParameterObject, type ReferenceObject } from '@nestjs/swagger';
import type { z } from 'zod';
import { inlineSchema } from './json-schema';
import { ERROR_SCHEMAS, REST_ERRORS, type ComponentName, type ErrorStatus } from './schemas';

/** The two kinds of token (security schemes): a user's, from POST /api/auth/login, and an admin's, from POST /admin/login. */
export const USER_TOKEN = 'user';
export const ADMIN_TOKEN = 'admin';

export const schemaRef = (name: ComponentName): ReferenceObject => ({ $ref: `#/components/schemas/${name}` });

const RETRY_AFTER: Record<string, HeaderObject> = {
  'Retry-After': {
    description: 'seconds to wait before retrying (retryAfterMs rounded up): with every 429, and with a 503 whose cause is temporary',
    schema: { type: 'integer', minimum: 1 },
  },
};

export interface RouteDoc {
  summary: string;
  description?: string;
  /** The success answer (200, JSON). */
  ok: { schema: ComponentName; description: string };
  body?: ComponentName;
  params?: Record<string, { schema: z.ZodTypeAny; description: string }>;
  query?: ParameterObject[];
  /** Every error answer the route gives, and when. */
  errors: Partial<Record<ErrorStatus, string>>;
}

/**
 * One route's OpenAPI description: what it does, what it takes, its answer and each error answer
 * (`{"error": {code, message}}`, PROTOCOL.md), 429 and 503 with their `Retry-After` header.
 */
export function ApiRoute(doc: RouteDoc): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary: doc.summary, description: doc.description }),
    ApiResponse({ status: 200, description: doc.ok.description, schema: schemaRef(doc.ok.schema) }),
    ...(doc.body ? [ApiBody({ required: true, schema: schemaRef(doc.body) })] : []),
    ...Object.entries(doc.params ?? {}).map(([name, param]) =>
      ApiParam({ name, required: true, description: param.description, schema: inlineSchema(param.schema) }),
    ),
    ...(doc.query ?? []).map((param) => ApiQuery({ name: param.name, required: param.required, description: param.description, schema: param.schema })),
    ...Object.entries(doc.errors).map(([key, when]) => {
      const status = Number(key) as ErrorStatus;
      return ApiResponse({
        status,
        description: `\`${REST_ERRORS[status]}\`: ${when}`,
        schema: schemaRef(ERROR_SCHEMAS[status]),
        ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
      });
    }),
  );
}
