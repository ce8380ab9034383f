import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AuthEvents } from 'nest-oidc-auth';

export interface SignInEntry {
  userName: string;
  method: string;
  email: string | null;
  created: boolean;
}

/** Host data attached to sign-ins through the module's hooks. */
@Injectable()
export class SignInLog implements OnModuleInit {
  readonly entries: SignInEntry[] = [];

  constructor(private readonly events: AuthEvents) {}

  onModuleInit(): void {
    this.events.onSignIn(({ user, method, claims, created }) => {
      const email = typeof claims?.email === 'string' ? claims.email : null;
      this.entries.push({ userName: user.userName, method, email, created });
    });
  }
}
