import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { configureAuthHttp } from 'nest-oidc-auth';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, { bodyParser: false });
  configureAuthHttp(app); // body limits and the api/v1 prefix
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
}
void bootstrap();
