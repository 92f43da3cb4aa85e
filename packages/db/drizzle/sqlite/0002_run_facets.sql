ALTER TABLE `runs` ADD `model` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `data` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `img` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `epochs` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `strategy` text;--> statement-breakpoint
CREATE INDEX `runs_model_idx` ON `runs` (`model`,`created_at`);--> statement-breakpoint
CREATE INDEX `runs_data_idx` ON `runs` (`data`,`created_at`);--> statement-breakpoint
CREATE INDEX `runs_img_idx` ON `runs` (`img`,`created_at`);--> statement-breakpoint
CREATE INDEX `runs_epochs_idx` ON `runs` (`epochs`,`created_at`);--> statement-breakpoint
CREATE INDEX `runs_strategy_idx` ON `runs` (`strategy`,`created_at`);