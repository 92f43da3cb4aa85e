/**
 * Compiles the engine's hand-written WebAssembly SIMD kernels (src/engine/simd/wat/*.wat) into
 * src/engine/simd/simd-binaries.ts (base64, committed), so the runtime needs no wabt.
 * Run after editing a .wat: `pnpm --filter @distillery/models build:simd`
 * (engine-simd tests fail while the committed binaries differ from the sources).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSimdSources, renderSimdBinariesModule } from './simd-sources.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, 'src/engine/simd/simd-binaries.ts');
const binaries = await compileSimdSources(root);
writeFileSync(target, renderSimdBinariesModule(binaries));
for (const [name, b] of binaries) console.log(`${name}: ${b.plain.length} bytes (shared-heap build ${b.shared.length})`);
console.log(`wrote ${path.relative(process.cwd(), target)}`);
