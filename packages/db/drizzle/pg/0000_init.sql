CREATE TABLE "artifacts" (
	"id" serial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"kind" text NOT NULL,
	"path" text NOT NULL,
	"bytes" bigint NOT NULL,
	"sha256" text NOT NULL,
	"epoch" integer,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "epochs" (
	"run_id" text NOT NULL,
	"epoch" integer NOT NULL,
	"lbox" double precision NOT NULL,
	"lobj" double precision NOT NULL,
	"lcls" double precision NOT NULL,
	"ldistill" double precision,
	"lsparsity" double precision,
	"total" double precision NOT NULL,
	"lr" double precision NOT NULL,
	"precision" double precision,
	"recall" double precision,
	"map50" double precision,
	"map5095" double precision,
	"images_per_sec" double precision,
	"seconds" double precision,
	"recorded_at" bigint NOT NULL,
	CONSTRAINT "epochs_run_id_epoch_pk" PRIMARY KEY("run_id","epoch")
);
--> statement-breakpoint
CREATE TABLE "reference_rows" (
	"table_key" text NOT NULL,
	"position" integer NOT NULL,
	"label" text NOT NULL,
	"preset" text,
	"values" jsonb NOT NULL,
	CONSTRAINT "reference_rows_table_key_position_pk" PRIMARY KEY("table_key","position")
);
--> statement-breakpoint
CREATE TABLE "reference_tables" (
	"key" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"source" text NOT NULL,
	"columns" jsonb NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "results" (
	"run_id" text PRIMARY KEY NOT NULL,
	"precision" double precision NOT NULL,
	"recall" double precision NOT NULL,
	"map50" double precision NOT NULL,
	"map5095" double precision NOT NULL,
	"params" bigint NOT NULL,
	"gmacs" double precision NOT NULL,
	"img" integer NOT NULL,
	"recorded_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"preset" text,
	"config" jsonb NOT NULL,
	"status" text NOT NULL,
	"study_id" text,
	"priority" integer DEFAULT 0 NOT NULL,
	"created_by" text,
	"worker_id" text,
	"host" text,
	"lease_until" bigint,
	"heartbeat_at" bigint,
	"attempts" integer DEFAULT 0 NOT NULL,
	"progress" jsonb,
	"epochs_planned" integer NOT NULL,
	"last_epoch" integer,
	"run_dir" text,
	"checkpoint" text,
	"error" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"started_at" bigint,
	"finished_at" bigint
);
--> statement-breakpoint
CREATE TABLE "studies" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text,
	"description" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "study_stages" (
	"study_id" text NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"preset" text,
	"depends_on" jsonb NOT NULL,
	"run_id" text,
	CONSTRAINT "study_stages_study_id_position_pk" PRIMARY KEY("study_id","position")
);
--> statement-breakpoint
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "epochs" ADD CONSTRAINT "epochs_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reference_rows" ADD CONSTRAINT "reference_rows_table_key_reference_tables_key_fk" FOREIGN KEY ("table_key") REFERENCES "public"."reference_tables"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "results" ADD CONSTRAINT "results_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "study_stages" ADD CONSTRAINT "study_stages_study_id_studies_id_fk" FOREIGN KEY ("study_id") REFERENCES "public"."studies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "study_stages" ADD CONSTRAINT "study_stages_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "artifacts_run_idx" ON "artifacts" USING btree ("run_id","kind");--> statement-breakpoint
CREATE INDEX "results_map50_idx" ON "results" USING btree ("map50");--> statement-breakpoint
CREATE INDEX "results_map5095_idx" ON "results" USING btree ("map5095");--> statement-breakpoint
CREATE INDEX "runs_status_idx" ON "runs" USING btree ("status");--> statement-breakpoint
CREATE INDEX "runs_created_idx" ON "runs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "runs_name_idx" ON "runs" USING btree ("name");--> statement-breakpoint
CREATE INDEX "runs_preset_idx" ON "runs" USING btree ("preset");--> statement-breakpoint
CREATE INDEX "runs_study_idx" ON "runs" USING btree ("study_id");--> statement-breakpoint
CREATE INDEX "runs_updated_idx" ON "runs" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "studies_created_idx" ON "studies" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "study_stages_name_idx" ON "study_stages" USING btree ("study_id","name");