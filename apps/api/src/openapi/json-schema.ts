import type { ParameterObject, SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { zodToJsonSchema, type Options } from 'zod-to-json-schema';

/**
 * zod → OpenAPI 3.0 schema objects, with zod-to-json-schema (libs/contracts is zod 3, whose schemas
 * zod's own z.toJSONSchema does not take). `.strict()` objects, like every request of
 * libs/contracts, are `additionalProperties: false`, as an unknown field is a 400; the others
 * (answers, which may grow) say nothing, which allows more (an explicit `true` would make Swagger
 * UI's examples show made-up `additionalProp1` fields).
 */
const COMMON: ConverterOptions = {
  target: 'openApi3',
  removeAdditionalStrategy: 'strict',
  allowedAdditionalProperties: undefined,
  effectStrategy: 'input',
};

type ConverterOptions = Partial<
  Pick<
    Options<'openApi3'>,
    'target' | 'removeAdditionalStrategy' | 'allowedAdditionalProperties' | 'effectStrategy' | 'pipeStrategy' | '$refStrategy' | 'basePath' | 'definitionPath'
  >
> & { definitions?: Record<string, z.ZodTypeAny> };

/**
 * zod-to-json-schema's declarations import "zod/v3", which `moduleResolution: node` resolves to zod's
 * ESM declarations while "zod" resolves to its CJS ones: two copies of every zod type, and tsc spends
 * minutes comparing them at each call. So the call is typed here, on the project's own zod types.
 */
const toJsonSchema = zodToJsonSchema as unknown as (schema: z.ZodTypeAny, options: ConverterOptions) => unknown;

/**
 * The named schemas, converted together: a schema that is itself one of them, found inside
 * another, is written as a `$ref` to `#/components/schemas/<name>`. Request bodies are described
 * by what a client sends (a transform's input).
 */
export function componentSchemas(named: Record<string, z.ZodTypeAny>): Record<string, SchemaObject> {
  // The named schemas are converted as the definitions of an empty root, which is then dropped.
  const converted = toJsonSchema(z.object({}), {
    ...COMMON,
    pipeStrategy: 'input',
    definitions: named,
    basePath: ['#', 'components'],
    definitionPath: 'schemas',
  }) as { schemas?: Record<string, SchemaObject> };
  const schemas = converted.schemas ?? {};
  return inlineInnerRefs(schemas, schemas) as Record<string, SchemaObject>;
}

const COMPONENT_REF = /^#\/components\/schemas\/[^/]+$/;

/**
 * zod-to-json-schema writes a sub-schema met a second time (a field shared through `.extend()`)
 * as a $ref into the schema where it was met first (`#/components/schemas/Room/properties/id`):
 * valid, but it reads badly and ties unrelated schemas together, so those are inlined. Refs to a
 * named schema stay.
 */
function inlineInnerRefs(value: unknown, schemas: Record<string, SchemaObject>): unknown {
  if (Array.isArray(value)) return value.map((item) => inlineInnerRefs(item, schemas));
  if (typeof value !== 'object' || value === null) return value;
  const { $ref, ...rest } = value as { $ref?: unknown };
  if (typeof $ref === 'string' && !COMPONENT_REF.test($ref)) {
    return inlineInnerRefs({ ...(resolve($ref, schemas) as object), ...rest }, schemas);
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, inlineInnerRefs(item, schemas)]));
}

function resolve(ref: string, schemas: Record<string, SchemaObject>): unknown {
  const [root, components, section, ...path] = ref.split('/');
  if (root !== '#' || components !== 'components' || section !== 'schemas') throw new Error(`OpenAPI: unexpected $ref ${ref}`);
  let target: unknown = schemas;
  for (const key of path) {
    target = (target as Record<string, unknown> | undefined)?.[key];
    if (target === undefined) throw new Error(`OpenAPI: $ref ${ref} leads nowhere`);
  }
  return target;
}

/**
 * The query parameters of a query schema (a zod object, refined or not). A query value is text on
 * the wire, while an OpenAPI parameter is described by the value it denotes (`limit=5` is the
 * integer 5): that is the output of the schema's pipes, so they are converted from their output
 * side. Each parameter must be described (the keys are checked by the compiler).
 */
export function queryParameters<S extends z.ZodTypeAny>(
  schema: S,
  descriptions: { [name in keyof z.input<S> & string]-?: string },
): ParameterObject[] {
  const object = toJsonSchema(schema, { ...COMMON, pipeStrategy: 'output', $refStrategy: 'none' }) as SchemaObject;
  const required = new Set(object.required ?? []);
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.has(name),
    description: (descriptions as Record<string, string>)[name],
    schema: property,
  }));
}

/** One schema, inline (a path parameter's, for example). */
export function inlineSchema(schema: z.ZodTypeAny): SchemaObject {
  return toJsonSchema(schema, { ...COMMON, pipeStrategy: 'input', $refStrategy: 'none' }) as SchemaObject;
}
