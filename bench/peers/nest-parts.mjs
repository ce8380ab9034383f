// Shared parts of the peer apps: decorators applied without decorator syntax (plain .mjs), and
// the same two routes as the demo app (`GET /api/v1/hello` public, `/api/v1/hello/me` guarded).
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, Req, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/** Applies method decorators to `Class.prototype[key]`. */
export function method(Class, key, ...decorators) {
  const descriptor = Object.getOwnPropertyDescriptor(Class.prototype, key);
  Object.defineProperty(
    Class.prototype,
    key,
    Reflect.decorate(decorators, Class.prototype, key, descriptor) ?? descriptor,
  );
}

/** Applies class decorators; `deps` become the constructor's injected types. */
export function klass(Class, decorators, deps = []) {
  Reflect.defineMetadata('design:paramtypes', deps, Class);
  return Reflect.decorate(decorators, Class);
}

/** A controller with the demo's hello routes; `guard` (a class) protects `me`. */
export function helloController(guard, nameOf) {
  class HelloController {
    hello() {
      return { hello: 'world' };
    }
    me(request) {
      return { hello: nameOf(request) };
    }
  }
  method(HelloController, 'hello', Get());
  Req()(HelloController.prototype, 'me', 0);
  method(HelloController, 'me', Get('me'), ...(guard ? [UseGuards(guard)] : []));
  return klass(HelloController, [Controller('hello')]);
}

/** A guard from a predicate on the request (e.g. "has a session user"). */
export function predicateGuard(allowed) {
  class PredicateGuard {
    canActivate(context) {
      return allowed(context.switchToHttp().getRequest());
    }
  }
  return klass(PredicateGuard, [Injectable()]);
}

/** An Express Nest app of `controllers` and `providers`, `setup(app)` before init. */
export async function nestApp({ controllers = [], providers = [], imports = [], setup }) {
  class PeerModule {}
  klass(PeerModule, [Module({ imports, controllers, providers })]);
  const app = await NestFactory.create(PeerModule, { bodyParser: false, logger: ['error'] });
  app.setGlobalPrefix('api/v1');
  await setup?.(app);
  return app;
}
