import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCheckpoint, type SweepCheckpoint } from '../../lambdas/reconciler/sweep-checkpoint';

/** The CLI's checkpoint: a JSON file, replaced atomically after every page (a crash mid-write leaves the previous one). */
export const checkpointFile = {
  async load(file: string): Promise<SweepCheckpoint | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return parseCheckpoint(JSON.parse(text));
    } catch (error) {
      throw new Error(`${file} is not a backfill checkpoint (${(error as Error).message}); --restart discards it`, { cause: error });
    }
  },
  async save(file: string, checkpoint: SweepCheckpoint): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`);
    await rename(temporary, file);
  },
  async remove(file: string): Promise<void> {
    await rm(file, { force: true });
  },
};
