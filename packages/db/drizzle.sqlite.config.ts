import { defineConfig } from 'drizzle-kit';

// `pnpm --filter @distillery/db db:generate` regenerates both dialects' migrations from src/schema.
export default defineConfig({ dialect: 'sqlite', schema: './src/schema/sqlite.ts', out: './drizzle/sqlite' });
