import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795920498238 implements MigrationInterface {
  name = 'Initial1795920498238';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "auth_log" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "method" character varying(16) NOT NULL, "user_name" character varying(255), "ip_address" character varying(64), "success" boolean NOT NULL, "reason" character varying(64) NOT NULL, "message" text, CONSTRAINT "PK_fc5150167c30ed3bbf83981cd54" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_auth_log_created" ON "auth_log"  ("created_at") `);
    await queryRunner.query(
      `CREATE TABLE "auth_logout_jti" ("issuer" text NOT NULL, "jti" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_b83a0c094f8856a0587a62a2019" PRIMARY KEY ("issuer", "jti"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_auth_logout_jti_expires" ON "auth_logout_jti"  ("expires_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "auth_login_state" ("state_hash" character(64) NOT NULL, "browser_hash" character(64) NOT NULL, "nonce" text NOT NULL, "code_verifier" text, "return_to" text NOT NULL, "settings_version" integer NOT NULL, "max_age" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_f751e34f25db1c206ba45cb2b3f" PRIMARY KEY ("state_hash"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_auth_login_state_expires" ON "auth_login_state"  ("expires_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "auth_session" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "token_hash" character(64) NOT NULL, "user_id" uuid NOT NULL, "method" character varying(16) NOT NULL, "idp_issuer" text, "idp_subject" text, "idp_sid" text, "id_token" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_dcf5c3ee6b3682ac4e724dc9496" UNIQUE ("token_hash"), CONSTRAINT "PK_19354ed146424a728c1112a8cbf" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_auth_session_idp_sub" ON "auth_session"  ("idp_issuer", "idp_subject") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_auth_session_idp_sid" ON "auth_session"  ("idp_issuer", "idp_sid") `,
    );
    await queryRunner.query(`CREATE INDEX "IDX_auth_session_user" ON "auth_session"  ("user_id") `);
    await queryRunner.query(
      `CREATE TABLE "auth_settings" ("id" integer NOT NULL, "method" character varying(16) NOT NULL, "oidc" jsonb NOT NULL, "client_secret_encrypted" text, "version" integer NOT NULL DEFAULT '1', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_daf9fe3ab40a3241250fcd21127" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "auth_team_membership" ("user_id" uuid NOT NULL, "team_id" uuid NOT NULL, "source" character varying(16) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b48aeec1273f58a4da6f7ade567" PRIMARY KEY ("user_id", "team_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_auth_team_membership_team" ON "auth_team_membership"  ("team_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "auth_team" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(255) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_6d33812a86d969bf17d6be6a2dd" UNIQUE ("name"), CONSTRAINT "PK_6df937c0c77192dfd9e7408a9e6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "auth_user" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_name" character varying(255) NOT NULL, "password_hash" text NOT NULL, "is_admin" boolean NOT NULL DEFAULT false, "is_active" boolean NOT NULL DEFAULT true, "email_address" character varying(255), "phone_number" character varying(64), "first_name" character varying(255), "middle_name" character varying(255), "last_name" character varying(255), "idp_issuer" text, "idp_subject" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_a68fb4c15cc6d8d7b6a8efbf7c2" UNIQUE ("user_name"), CONSTRAINT "PK_9922406dc7d70e20423aeffadf3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_auth_user_idp" ON "auth_user"  ("idp_issuer", "idp_subject") `,
    );
    await queryRunner.query(
      `ALTER TABLE "auth_session" ADD CONSTRAINT "FK_b8783d517fab10672700a39cb49" FOREIGN KEY ("user_id") REFERENCES "auth_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "auth_team_membership" ADD CONSTRAINT "FK_b0a9db886a91b9561b84d21d41b" FOREIGN KEY ("user_id") REFERENCES "auth_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "auth_team_membership" ADD CONSTRAINT "FK_6957a52de61c50534b5ff55a137" FOREIGN KEY ("team_id") REFERENCES "auth_team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "auth_team_membership" DROP CONSTRAINT "FK_6957a52de61c50534b5ff55a137"`,
    );
    await queryRunner.query(
      `ALTER TABLE "auth_team_membership" DROP CONSTRAINT "FK_b0a9db886a91b9561b84d21d41b"`,
    );
    await queryRunner.query(
      `ALTER TABLE "auth_session" DROP CONSTRAINT "FK_b8783d517fab10672700a39cb49"`,
    );
    await queryRunner.query(`DROP INDEX "public"."IDX_auth_user_idp"`);
    await queryRunner.query(`DROP TABLE "auth_user"`);
    await queryRunner.query(`DROP TABLE "auth_team"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_auth_team_membership_team"`);
    await queryRunner.query(`DROP TABLE "auth_team_membership"`);
    await queryRunner.query(`DROP TABLE "auth_settings"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_auth_session_user"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_auth_session_idp_sid"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_auth_session_idp_sub"`);
    await queryRunner.query(`DROP TABLE "auth_session"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_auth_login_state_expires"`);
    await queryRunner.query(`DROP TABLE "auth_login_state"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_auth_logout_jti_expires"`);
    await queryRunner.query(`DROP TABLE "auth_logout_jti"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_auth_log_created"`);
    await queryRunner.query(`DROP TABLE "auth_log"`);
  }
}
