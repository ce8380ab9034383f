import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** OpenAPI document and Swagger UI of the demo at /api/docs (JSON at /api/docs-json). */
export function setupSwagger(app: INestApplication, sessionCookieName: string): void {
  const config = new DocumentBuilder()
    .setTitle('OpenID Connect login for NestJS')
    .setDescription(
      'Sign-in (password and OpenID Connect), sessions, logout and the admin API of AuthModule. ' +
        'Errors are `{error, message}` with a stable code.',
    )
    .setVersion('0.1.0')
    .addTag('auth', 'Sign-in, the current user, logout')
    .addTag(
      'admin',
      'Authentication settings, identity providers, teams, users, auth log (admins only)',
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Session token from login' })
    .addCookieAuth(sessionCookieName)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs-json',
    customSiteTitle: 'Auth API',
  });
}
