import { type ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { AuthError } from './auth-error.js';

/** Flattens class-validator errors to `{ "a.b[0].c": "first message" }`. */
export function fieldsFromValidationErrors(
  errors: ValidationError[],
  parent = '',
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const error of errors) {
    const key = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent
        ? `${parent}.${error.property}`
        : error.property;
    const messages = Object.values(error.constraints ?? {});
    if (messages.length) fields[key || 'body'] = messages[0];
    if (error.children?.length)
      Object.assign(fields, fieldsFromValidationErrors(error.children, key));
  }
  return fields;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Dotted path of the first own key that could reach an object's prototype, if any. */
export function findPrototypeKey(value: unknown, path = '', depth = 0): string | undefined {
  if (!value || typeof value !== 'object' || depth > 32) return undefined;
  for (const key of Object.keys(value)) {
    const at = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return at;
    const found = findPrototypeKey((value as Record<string, unknown>)[key], at, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** No body of the module nests deeper than this; deeper input is refused before any recursion. */
export const MAX_BODY_DEPTH = 32;

/** Whether a parsed JSON value nests deeper than `limit` (checked without recursion). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (!current || typeof current !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(current)) {
      if (child && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

function isPlainObject(value: unknown): boolean {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The module's request validation: class-validator DTOs, unknown fields refused, values
 * transformed; every refusal is `validation_failed` with per-field messages.
 */
@Injectable()
export class AuthValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      forbidUnknownValues: true,
      // Messages echo no values: class-validator's defaults name the property, not the input.
      validationError: { target: false, value: false },
      exceptionFactory: (errors: ValidationError[]) =>
        new AuthError('validation_failed', 'Some fields are not valid.', {
          fields: fieldsFromValidationErrors(errors),
        }),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') {
      // Body parsers leave `req.body` unset when nothing was sent (JsonBodyInterceptor refuses other types).
      if (value === undefined)
        throw new AuthError('validation_failed', 'A JSON body is required.', {
          fields: { body: 'Required: a JSON object.' },
        });
      // class-transformer, class-validator and the settings validator recurse: bound the depth first.
      if (nestsDeeperThan(value, MAX_BODY_DEPTH))
        throw new AuthError('validation_failed', 'The body is nested too deeply.', {
          fields: { body: `Nested deeper than ${MAX_BODY_DEPTH} levels.` },
        });
      // JSON.parse keeps `__proto__` as an own key; copied onto a DTO it would swap its prototype.
      const prototypeKey = findPrototypeKey(value);
      if (prototypeKey)
        throw new AuthError('validation_failed', 'Some fields are not valid.', {
          fields: { [prototypeKey]: 'This field name is not allowed.' },
        });
      if (metadata.metatype && this.isClassBody(metadata) && !isPlainObject(value))
        throw new AuthError('validation_failed', 'The body must be a JSON object.', {
          fields: { body: 'Must be a JSON object.' },
        });
    }
    return super.transform(value, metadata);
  }

  private isClassBody(metadata: ArgumentMetadata): boolean {
    const types: unknown[] = [String, Boolean, Number, Array, Object];
    return !types.includes(metadata.metatype);
  }
}
