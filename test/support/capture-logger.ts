import type { LoggerService } from '@nestjs/common';

/** Records every log line at every level, so tests can search them for secrets. */
export class CaptureLogger implements LoggerService {
  readonly lines: string[] = [];

  private push(level: string, message: unknown, rest: unknown[]): void {
    const parts = [message, ...rest].map((part) =>
      typeof part === 'string'
        ? part
        : part instanceof Error
          ? `${part.name}: ${part.message}\n${part.stack ?? ''}`
          : JSON.stringify(part),
    );
    this.lines.push(`${level} ${parts.join(' ')}`);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.push('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.push('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.push('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.push('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.push('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.push('fatal', message, rest);
  }

  /** Every captured line joined: search it with `toContain`. */
  text(): string {
    return this.lines.join('\n');
  }
}
