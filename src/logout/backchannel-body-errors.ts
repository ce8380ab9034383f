import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { sendBackchannelRefusal } from './backchannel-logout.response.js';

/**
 * Body-parser failures (body over the size cap, too many parameters, bad charset) happen before
 * the controller runs and would reach the global filter as 413/415; the back-channel endpoint
 * must answer every refusal as 400 invalid_request. Installed at module init, i.e. after the
 * host's body parsers and before Nest's own error handler.
 */
@Injectable()
export class BackchannelBodyErrors implements OnModuleInit {
  private readonly logger = new Logger('BackchannelLogout');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter || adapter.getType() !== 'express') return;
    const path = `${this.options.routePrefix}/backchannelLogout`;
    adapter.use(
      path,
      (error: unknown, request: Request, response: Response, next: NextFunction) => {
        if (request.path !== '/' && request.path !== '') return next(error);
        const type = (error as { type?: unknown })?.type;
        this.logger.warn(`Back-channel logout request refused: unreadable body (${String(type)}).`);
        if (response.headersSent) return next(error);
        sendBackchannelRefusal(
          response,
          type === 'entity.too.large'
            ? 'The request body is too large.'
            : 'The request body could not be read.',
        );
      },
    );
  }
}
