CREATE TABLE "run_dependencies" (
	"run_id" text NOT NULL,
	"depends_on" text NOT NULL,
	CONSTRAINT "run_dependencies_run_id_depends_on_pk" PRIMARY KEY("run_id","depends_on")
);
--> statement-breakpoint
ALTER TABLE "run_dependencies" ADD CONSTRAINT "run_dependencies_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "run_dependencies_depends_on_idx" ON "run_dependencies" USING btree ("depends_on");