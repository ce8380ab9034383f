// OpenAPI decorators of the module's routes. `@nestjs/swagger` is an optional peer: with it
// installed the routes are described; without it these decorators do nothing.
import { createRequire } from 'node:module';

type AnyDecorator = ClassDecorator & MethodDecorator & PropertyDecorator;
type DecoratorFactory = (...args: unknown[]) => AnyDecorator;

type Name =
  | 'ApiBadRequestResponse'
  | 'ApiBearerAuth'
  | 'ApiBody'
  | 'ApiConflictResponse'
  | 'ApiConsumes'
  | 'ApiCookieAuth'
  | 'ApiCreatedResponse'
  | 'ApiExcludeController'
  | 'ApiForbiddenResponse'
  | 'ApiFoundResponse'
  | 'ApiNoContentResponse'
  | 'ApiNotFoundResponse'
  | 'ApiOkResponse'
  | 'ApiOperation'
  | 'ApiParam'
  | 'ApiProperty'
  | 'ApiPropertyOptional'
  | 'ApiQuery'
  | 'ApiTags'
  | 'ApiTooManyRequestsResponse'
  | 'ApiUnauthorizedResponse';

function loadSwagger(): Partial<Record<Name, DecoratorFactory>> | undefined {
  try {
    return createRequire(import.meta.url)('@nestjs/swagger') as Record<Name, DecoratorFactory>;
  } catch {
    return undefined;
  }
}

const swagger = loadSwagger();
const noop: DecoratorFactory = () => () => undefined;
const pick = (name: Name): DecoratorFactory => swagger?.[name] ?? noop;

/** Whether `@nestjs/swagger` is installed (the routes are then described). */
export const openApiAvailable = swagger !== undefined;

export const ApiBadRequestResponse = pick('ApiBadRequestResponse');
export const ApiBearerAuth = pick('ApiBearerAuth');
export const ApiBody = pick('ApiBody');
export const ApiConflictResponse = pick('ApiConflictResponse');
export const ApiConsumes = pick('ApiConsumes');
export const ApiCookieAuth = pick('ApiCookieAuth');
export const ApiCreatedResponse = pick('ApiCreatedResponse');
export const ApiExcludeController = pick('ApiExcludeController');
export const ApiForbiddenResponse = pick('ApiForbiddenResponse');
export const ApiFoundResponse = pick('ApiFoundResponse');
export const ApiNoContentResponse = pick('ApiNoContentResponse');
export const ApiNotFoundResponse = pick('ApiNotFoundResponse');
export const ApiOkResponse = pick('ApiOkResponse');
export const ApiOperation = pick('ApiOperation');
export const ApiParam = pick('ApiParam');
export const ApiProperty = pick('ApiProperty');
export const ApiPropertyOptional = pick('ApiPropertyOptional');
export const ApiQuery = pick('ApiQuery');
export const ApiTags = pick('ApiTags');
export const ApiTooManyRequestsResponse = pick('ApiTooManyRequestsResponse');
export const ApiUnauthorizedResponse = pick('ApiUnauthorizedResponse');
