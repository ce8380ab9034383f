import type { Provider, Type } from '@nestjs/common';
import { TestSignInController } from './test-sign-in.controller.js';
import { TestSignInService } from './test-sign-in.service.js';
import { TestSignInStore } from './test-sign-in.store.js';

/** Controllers and providers of the test sign-in folder, registered by AuthModule. */
export const testSignInControllers: Type[] = [TestSignInController];
export const testSignInProviders: Provider[] = [TestSignInStore, TestSignInService];
