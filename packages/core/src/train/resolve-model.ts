/** The run config's `model`: a zoo name or a path to a model YAML, resolved to YAML text. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { getZooConfig, zooNames } from '@distillery/models';

export async function resolveModelYaml(model: string, cwd = process.cwd()): Promise<{ yaml: string; configName: string }> {
  const zoo = getZooConfig(model);
  if (zoo) return { yaml: zoo, configName: model.replace(/\.ya?ml$/, '') };
  const file = path.resolve(cwd, model);
  try {
    return { yaml: await readFile(file, 'utf8'), configName: path.basename(file).replace(/\.ya?ml$/, '') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      `model '${model}': not a zoo name (${zooNames().join(', ')}) and ${code === 'ENOENT' ? 'no such file' : `cannot read ${file} (${code})`}`,
    );
  }
}
