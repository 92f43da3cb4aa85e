ALTER TABLE "runs" ADD COLUMN "model" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "data" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "img" integer;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "epochs" integer;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "strategy" text;--> statement-breakpoint
CREATE INDEX "runs_model_idx" ON "runs" USING btree ("model","created_at");--> statement-breakpoint
CREATE INDEX "runs_data_idx" ON "runs" USING btree ("data","created_at");--> statement-breakpoint
CREATE INDEX "runs_img_idx" ON "runs" USING btree ("img","created_at");--> statement-breakpoint
CREATE INDEX "runs_epochs_idx" ON "runs" USING btree ("epochs","created_at");--> statement-breakpoint
CREATE INDEX "runs_strategy_idx" ON "runs" USING btree ("strategy","created_at");