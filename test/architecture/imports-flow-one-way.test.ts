import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/*
 * Imports flow one way (docs/architecture.md): tests, scripts, the local pipeline and the bench
 * may use lambdas/ and lib/; what ships (lambdas/, lib/, client/) and the operations scripts never
 * lean on the emulator glue in local/ or on test code. A scan of import specifiers is enough: the
 * project only imports with relative paths.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const TEST_FILE = /\.test\.ts$/;

/** Every static, dynamic and require import of a source text. */
function importSpecifiers(source: string): string[] {
  const patterns = [/\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /^\s*import\s*['"]([^'"]+)['"]/gm];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(file);
    return SOURCE.test(entry.name) ? [file] : [];
  });
}

/** `file imports specifier`, for each import of a file under `folders` that resolves into one of `forbidden`. */
function importsInto(folders: readonly string[], forbidden: readonly string[], include: (file: string) => boolean = () => true): string[] {
  return folders.flatMap((folder) =>
    sourceFiles(folder)
      .filter(include)
      .flatMap((file) =>
        importSpecifiers(readFileSync(path.join(ROOT, file), 'utf8'))
          .filter((specifier) => specifier.startsWith('.'))
          .filter((specifier) => {
            const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier));
            return forbidden.some((folder) => target === folder || target.startsWith(`${folder}${path.sep}`));
          })
          .map((specifier) => `${file} imports ${specifier}`),
      ),
  );
}

describe('imports flow one way', () => {
  it('lambdas/ and scripts/ never import local/ (tests beside the code included)', () => {
    expect(importsInto(['lambdas', 'scripts'], ['local'])).toEqual([]);
  });

  it('what ships and the scripts never import tests, the bench or the local pipeline', () => {
    const notATest = (file: string) => !TEST_FILE.test(file);
    expect(importsInto(['lambdas', 'lib', 'client', 'scripts'], ['test', 'bench', 'local'], notATest)).toEqual([]);
  });

  it('finds every kind of import, so a violation cannot hide', () => {
    const source = [
      "import { a } from '../../local/a';",
      "import type { B } from \"../local/b\";",
      "export { c } from './c';",
      "const d = require('../local/d');",
      "const e = await import('../local/engines.mjs');",
      "import '../local/side-effect';",
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(
      ['../../local/a', '../local/b', './c', '../local/d', '../local/engines.mjs', '../local/side-effect'].sort(),
    );
  });
});
