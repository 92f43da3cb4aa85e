PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_results` (
	`run_id` text PRIMARY KEY NOT NULL,
	`precision` real NOT NULL,
	`recall` real NOT NULL,
	`map50` real NOT NULL,
	`map5095` real NOT NULL,
	`params` integer NOT NULL,
	`gmacs` real,
	`img` integer NOT NULL,
	`recorded_at` integer NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_results`("run_id", "precision", "recall", "map50", "map5095", "params", "gmacs", "img", "recorded_at") SELECT "run_id", "precision", "recall", "map50", "map5095", "params", "gmacs", "img", "recorded_at" FROM `results`;--> statement-breakpoint
DROP TABLE `results`;--> statement-breakpoint
ALTER TABLE `__new_results` RENAME TO `results`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `results_map50_idx` ON `results` (`map50`);--> statement-breakpoint
CREATE INDEX `results_map5095_idx` ON `results` (`map5095`);