import { IsInt, IsOptional, IsString, IsUrl, Length, Min, ValidateNested, validateSync } from 'class-validator';
import { plainToInstance, Type } from 'class-transformer';
import { validationExceptionFactory } from './validation';

class Inner {
  @IsString() @Length(1, 10) header!: string;
}

class Body {
  @IsString() @Length(1, 64) name!: string;
  @IsUrl() url!: string;
  @IsOptional() @IsInt() @Min(1) count?: number;
  @IsOptional() @ValidateNested() @Type(() => Inner) inner?: Inner;
}

function answer(input: unknown): { message: string; errors: { field: string; message: string }[] } {
  const errors = validateSync(plainToInstance(Body, input) as object);
  return validationExceptionFactory(errors).getResponse() as { message: string; errors: { field: string; message: string }[] };
}

describe('validationExceptionFactory', () => {
  it('says a missing field is required instead of listing each of its rules', () => {
    const r = answer({ url: 'https://example.com' });
    expect(r.errors).toEqual([{ field: 'name', message: 'name is required' }]);
    expect(r.message).toBe('name is required');
  });

  it('treats null as missing, with the nested path', () => {
    expect(answer({ name: 'a', url: null, inner: {} }).errors).toEqual([
      { field: 'url', message: 'url is required' },
      { field: 'inner.header', message: 'inner.header is required' },
    ]);
  });

  it('still says an unknown field sent as null should not exist', () => {
    const errors = validateSync(plainToInstance(Body, { name: 'a', url: 'https://example.com', extra: null }) as object, {
      whitelist: true,
      forbidNonWhitelisted: true,
    });
    expect((validationExceptionFactory(errors).getResponse() as { message: string }).message).toBe('property extra should not exist');
  });

  it('names the broken rule of a field that is present', () => {
    const r = answer({ name: '', url: 'https://example.com', count: 0 });
    expect(r.errors.map((e) => e.field)).toEqual(['name', 'count']);
    expect(r.message).toContain('name must be longer than or equal to 1 characters');
    expect(r.message).toContain('count must not be less than 1');
  });
});
