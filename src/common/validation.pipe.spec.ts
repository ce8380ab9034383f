import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsString, MaxLength, ValidateNested } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { AuthError } from './auth-error.js';
import { AuthValidationPipe, MAX_BODY_DEPTH, nestsDeeperThan } from './validation.pipe.js';

class ItemDto {
  @IsInt()
  count: number;
}

class BodyDto {
  @IsString()
  @MaxLength(3)
  name: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ItemDto)
  items: ItemDto[];
}

async function refusal(value: unknown): Promise<AuthError> {
  const pipe = new AuthValidationPipe();
  try {
    await pipe.transform(value, { type: 'body', metatype: BodyDto });
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return error as AuthError;
  }
  throw new Error('expected a refusal');
}

describe('AuthValidationPipe', () => {
  it('answers validation_failed with dotted field names', async () => {
    const error = await refusal({ name: 'long name', items: [{ count: 1 }, { count: 'x' }] });
    expect(error.code).toBe('validation_failed');
    expect(error.getStatus()).toBe(400);
    expect(Object.keys(error.fields ?? {})).toEqual(['name', 'items[1].count']);
  });

  it('refuses unknown fields by name', async () => {
    const error = await refusal({ name: 'ab', items: [], isAdmin: true });
    expect(error.fields).toHaveProperty('isAdmin');
  });

  it('refuses a missing or non-object body', async () => {
    for (const value of [undefined, null, [], 'text', 5]) {
      const error = await refusal(value);
      expect(error.code).toBe('validation_failed');
      expect(error.fields).toHaveProperty('body');
    }
  });

  it('refuses prototype keys at any depth', async () => {
    const top = await refusal(JSON.parse('{"name":"a","items":[],"__proto__":{"x":1}}'));
    expect(top.fields).toHaveProperty('__proto__');
    const deep = await refusal(JSON.parse('{"name":"a","items":[{"count":1,"constructor":{}}]}'));
    expect(deep.fields).toHaveProperty(['items[0].constructor']);
  });

  it('never echoes the submitted value in a message', async () => {
    const error = await refusal({ name: 'secret-value-123', items: [] });
    expect(JSON.stringify(error.toJSON())).not.toContain('secret-value-123');
  });

  it('passes a valid body through as a DTO instance', async () => {
    const value = await new AuthValidationPipe().transform(
      { name: 'abc', items: [{ count: 2 }] },
      { type: 'body', metatype: BodyDto },
    );
    expect(value).toBeInstanceOf(BodyDto);
  });
});

describe('nestsDeeperThan', () => {
  it('finds depth without recursion, even 100 000 levels down', () => {
    const deep: unknown = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(nestsDeeperThan(deep, MAX_BODY_DEPTH)).toBe(true);
    expect(nestsDeeperThan({ a: { b: [{ c: 1 }] } }, MAX_BODY_DEPTH)).toBe(false);
    expect(nestsDeeperThan({ a: { b: { c: {} } } }, 3)).toBe(true);
    expect(nestsDeeperThan({ a: { b: { c: 1 } } }, 3)).toBe(false);
  });

  it('the pipe refuses a deeply nested body with validation_failed', async () => {
    const pipe = new AuthValidationPipe();
    const deep: unknown = JSON.parse(`{"username":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const error = await pipe.transform(deep, { type: 'body', metatype: Object }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe('validation_failed');
  });
});
