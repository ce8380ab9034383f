import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AuthLogEntity } from './auth-log.entity.js';

export interface AuthLogRecord {
  method: AuthLogEntity['method'];
  userName: string | null;
  ipAddress: string | null;
  success: boolean;
  /** Stable reason code; `ok` on success. */
  reason: string;
  /** Admin-facing message; never a token or secret. */
  message?: string | null;
}

export interface AuthLogView {
  id: string;
  createdAt: string;
  method: string;
  userName: string | null;
  ipAddress: string | null;
  success: boolean;
  reason: string;
  message: string | null;
}

@Injectable()
export class AuthLogService {
  private readonly logger = new Logger('AuthLog');

  constructor(
    @InjectRepository(AuthLogEntity) private readonly repository: Repository<AuthLogEntity>,
  ) {}

  /** Records an attempt; a failure to write the log never fails the login itself. */
  async record(entry: AuthLogRecord): Promise<void> {
    try {
      await this.repository.insert({
        method: entry.method,
        userName: entry.userName?.slice(0, 255) ?? null,
        ipAddress: entry.ipAddress?.slice(0, 64) ?? null,
        success: entry.success,
        reason: entry.reason.slice(0, 64),
        message: entry.message?.slice(0, 2000) ?? null,
      });
    } catch (error) {
      this.logger.warn(`Could not write the auth log: ${(error as Error).message}`);
    }
  }

  async list(limit = 200): Promise<AuthLogView[]> {
    const rows = await this.repository.find({
      order: { createdAt: 'DESC', id: 'DESC' },
      take: Math.min(Math.max(limit, 1), 1000),
    });
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.createdAt.toISOString(),
      method: row.method,
      userName: row.userName,
      ipAddress: row.ipAddress,
      success: row.success,
      reason: row.reason,
      message: row.message,
    }));
  }
}
