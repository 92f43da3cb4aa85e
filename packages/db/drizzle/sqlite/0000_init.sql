CREATE TABLE `artifacts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`kind` text NOT NULL,
	`path` text NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`epoch` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `artifacts_run_idx` ON `artifacts` (`run_id`,`kind`);--> statement-breakpoint
CREATE TABLE `epochs` (
	`run_id` text NOT NULL,
	`epoch` integer NOT NULL,
	`lbox` real NOT NULL,
	`lobj` real NOT NULL,
	`lcls` real NOT NULL,
	`ldistill` real,
	`lsparsity` real,
	`total` real NOT NULL,
	`lr` real NOT NULL,
	`precision` real,
	`recall` real,
	`map50` real,
	`map5095` real,
	`images_per_sec` real,
	`seconds` real,
	`recorded_at` integer NOT NULL,
	PRIMARY KEY(`run_id`, `epoch`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `reference_rows` (
	`table_key` text NOT NULL,
	`position` integer NOT NULL,
	`label` text NOT NULL,
	`preset` text,
	`values` text NOT NULL,
	PRIMARY KEY(`table_key`, `position`),
	FOREIGN KEY (`table_key`) REFERENCES `reference_tables`(`key`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `reference_tables` (
	`key` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`source` text NOT NULL,
	`columns` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `results` (
	`run_id` text PRIMARY KEY NOT NULL,
	`precision` real NOT NULL,
	`recall` real NOT NULL,
	`map50` real NOT NULL,
	`map5095` real NOT NULL,
	`params` integer NOT NULL,
	`gmacs` real NOT NULL,
	`img` integer NOT NULL,
	`recorded_at` integer NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `results_map50_idx` ON `results` (`map50`);--> statement-breakpoint
CREATE INDEX `results_map5095_idx` ON `results` (`map5095`);--> statement-breakpoint
CREATE TABLE `run_queue` (
	`run_id` text PRIMARY KEY NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`enqueued_at` integer NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `run_queue_order_idx` ON `run_queue` (`priority`,`enqueued_at`);--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`preset` text,
	`config` text NOT NULL,
	`status` text NOT NULL,
	`study_id` text,
	`priority` integer DEFAULT 0 NOT NULL,
	`created_by` text,
	`worker_id` text,
	`host` text,
	`lease_until` integer,
	`heartbeat_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`progress` text,
	`epochs_planned` integer NOT NULL,
	`last_epoch` integer,
	`run_dir` text,
	`checkpoint` text,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `runs_status_idx` ON `runs` (`status`);--> statement-breakpoint
CREATE INDEX `runs_created_idx` ON `runs` (`created_at`);--> statement-breakpoint
CREATE INDEX `runs_name_idx` ON `runs` (`name`);--> statement-breakpoint
CREATE INDEX `runs_preset_idx` ON `runs` (`preset`);--> statement-breakpoint
CREATE INDEX `runs_study_idx` ON `runs` (`study_id`);--> statement-breakpoint
CREATE INDEX `runs_updated_idx` ON `runs` (`updated_at`);--> statement-breakpoint
CREATE TABLE `studies` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text,
	`description` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `studies_created_idx` ON `studies` (`created_at`);--> statement-breakpoint
CREATE TABLE `study_stages` (
	`study_id` text NOT NULL,
	`position` integer NOT NULL,
	`name` text NOT NULL,
	`preset` text,
	`depends_on` text NOT NULL,
	`run_id` text,
	PRIMARY KEY(`study_id`, `position`),
	FOREIGN KEY (`study_id`) REFERENCES `studies`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `study_stages_name_idx` ON `study_stages` (`study_id`,`name`);