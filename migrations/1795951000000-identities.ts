import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OIDC identities `(issuer, subject) -> user`. The last-login pair that `auth_user` kept is
 * moved into it (one identity per pair, the most recently updated user wins), then dropped.
 */
export class Identities1795951000000 implements MigrationInterface {
  name = 'Identities1795951000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "auth_identity" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "issuer" text NOT NULL, "subject" text NOT NULL, "user_id" uuid NOT NULL, "admin_granted" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3eeca3f18e671626194e553eb89" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_auth_identity_issuer_subject" ON "auth_identity" ("issuer", "subject")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_auth_identity_user_issuer" ON "auth_identity" ("user_id", "issuer")`,
    );
    await queryRunner.query(
      `ALTER TABLE "auth_identity" ADD CONSTRAINT "FK_4f02c3f95fd60470b55ee10e2a3" FOREIGN KEY ("user_id") REFERENCES "auth_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `INSERT INTO "auth_identity" ("issuer", "subject", "user_id", "last_seen_at")
       SELECT DISTINCT ON ("idp_issuer", "idp_subject") "idp_issuer", "idp_subject", "id", "updated_at"
         FROM "auth_user"
        WHERE "idp_issuer" IS NOT NULL AND "idp_subject" IS NOT NULL
        ORDER BY "idp_issuer", "idp_subject", "updated_at" DESC`,
    );
    await queryRunner.query(`DROP INDEX "public"."IDX_auth_user_idp"`);
    await queryRunner.query(`ALTER TABLE "auth_user" DROP COLUMN "idp_subject"`);
    await queryRunner.query(`ALTER TABLE "auth_user" DROP COLUMN "idp_issuer"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "auth_user" ADD "idp_issuer" text`);
    await queryRunner.query(`ALTER TABLE "auth_user" ADD "idp_subject" text`);
    await queryRunner.query(
      `CREATE INDEX "IDX_auth_user_idp" ON "auth_user" ("idp_issuer", "idp_subject")`,
    );
    await queryRunner.query(
      `UPDATE "auth_user" u SET "idp_issuer" = i."issuer", "idp_subject" = i."subject"
         FROM (SELECT DISTINCT ON ("user_id") * FROM "auth_identity" ORDER BY "user_id", "last_seen_at" DESC) i
        WHERE i."user_id" = u."id"`,
    );
    await queryRunner.query(`DROP TABLE "auth_identity"`);
  }
}
