import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { resolve } from 'node:path';
import { Public } from '../index.js';
import { pagesFolder } from './pages-folder.js';

/** Scripts and styles come from files only, so the pages run under a strict policy. */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** The demo's HTML pages; each page asks the API itself whether someone is signed in. */
@ApiExcludeController()
@Public()
@Controller()
export class PagesController {
  private readonly folder = pagesFolder();

  @Get()
  root(@Res() response: Response): void {
    response.redirect(302, '/me');
  }

  @Get('login')
  login(@Res() response: Response): void {
    this.send(response, 'login.html');
  }

  @Get('me')
  me(@Res() response: Response): void {
    this.send(response, 'me.html');
  }

  @Get('admin')
  admin(@Res() response: Response): void {
    this.send(response, 'admin.html');
  }

  private send(response: Response, file: string): void {
    response.setHeader('Content-Security-Policy', PAGE_CSP);
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'same-origin');
    response.sendFile(resolve(this.folder, file));
  }
}
