CREATE TABLE `run_dependencies` (
	`run_id` text NOT NULL,
	`depends_on` text NOT NULL,
	PRIMARY KEY(`run_id`, `depends_on`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `run_dependencies_depends_on_idx` ON `run_dependencies` (`depends_on`);