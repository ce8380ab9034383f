import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type Repository } from 'typeorm';
import { hashPassword } from '../common/crypto.js';
import { UserEntity } from './user.entity.js';

export interface CreateUserInput {
  userName: string;
  password: string;
  isAdmin?: boolean;
  isActive?: boolean;
  emailAddress?: string | null;
  phoneNumber?: string | null;
  firstName?: string | null;
  middleName?: string | null;
  lastName?: string | null;
}

@Injectable()
export class UsersService {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  findByUserName(userName: string): Promise<UserEntity | null> {
    return this.users.findOne({ where: { userName } });
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOne({ where: { id } });
  }

  async create(input: CreateUserInput): Promise<UserEntity> {
    return this.users.save(
      this.users.create({
        userName: input.userName,
        passwordHash: await hashPassword(input.password),
        isAdmin: input.isAdmin ?? false,
        isActive: input.isActive ?? true,
        emailAddress: input.emailAddress ?? null,
        phoneNumber: input.phoneNumber ?? null,
        firstName: input.firstName ?? null,
        middleName: input.middleName ?? null,
        lastName: input.lastName ?? null,
      }),
    );
  }

  /** Creates the bootstrap admin when no user of that name exists; an existing user is never changed. */
  async ensureAdmin(userName: string, password: string): Promise<'created' | 'exists'> {
    if (await this.findByUserName(userName)) return 'exists';
    try {
      await this.create({ userName, password, isAdmin: true });
      return 'created';
    } catch (error) {
      if (await this.findByUserName(userName)) return 'exists'; // another instance created it first
      throw error;
    }
  }
}
