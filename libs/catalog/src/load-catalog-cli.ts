// `load-catalog`: validates the lab files and (unless --check) writes them into MongoDB. Prints every error with its
// file and place and exits non-zero, so CI and operators see all problems in one run.
import { parseArgs } from 'node:util';
import { Matches } from 'class-validator';
import { ConfigError, loadConfig } from '@kubelabs/config';
import { Persistence } from '@kubelabs/persistence';
import { formatCatalogErrors } from './catalog-error';
import { loadCatalogDirectory } from './load-catalog-directory';
import { syncCatalog } from './sync-catalog';

export class CatalogLoaderConfig {
  @Matches(/^mongodb(\+srv)?:\/\/[^\s]+\/[A-Za-z0-9_-]+(\?.*)?$/, {
    message: 'MONGO_URL must be a mongodb:// URL that names a database',
  })
  MONGO_URL: string = '';
}

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

const usage = 'usage: load-catalog [--dir deploy/catalog] [--check] [--prune]';
const consoleOutput: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Returns the exit status: 0 on success, 1 when a lab file is invalid or MongoDB cannot be written, 2 on bad
 * arguments, 78 (EX_CONFIG) when MONGO_URL is missing or malformed.
 */
export async function runLoadCatalogCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  output: CliOutput = consoleOutput,
): Promise<number> {
  let options: { dir: string; check: boolean; prune: boolean };
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        dir: { type: 'string', default: 'deploy/catalog' },
        check: { type: 'boolean', default: false },
        prune: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    options = { dir: values.dir, check: values.check, prune: values.prune };
  } catch (error) {
    output.err(`${(error as Error).message}\n${usage}`);
    return 2;
  }

  const { labs, errors } = await loadCatalogDirectory(options.dir);
  if (errors.length > 0) {
    for (const line of formatCatalogErrors(errors)) output.err(line);
    output.err(`catalog: ${errors.length} error${errors.length === 1 ? '' : 's'} in ${options.dir}; nothing written`);
    return 1;
  }
  if (options.check) {
    output.out(
      `catalog: ${labs.length} labs valid in ${options.dir} (${labs.map((lab) => lab.id).join(', ')}); --check, nothing written`,
    );
    return 0;
  }

  let config: CatalogLoaderConfig;
  try {
    config = loadConfig(CatalogLoaderConfig, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    output.err(error.message);
    return 78;
  }

  let persistence: Persistence | undefined;
  try {
    persistence = await Persistence.connect(config.MONGO_URL);
    const result = await syncCatalog(persistence, labs, { prune: options.prune });
    output.out(
      `catalog: ${labs.length} labs from ${options.dir}: ${result.inserted.length} inserted, ${result.updated.length} updated, ` +
        `${result.unchanged.length} unchanged, ${options.prune ? `${result.removed.length} removed` : 'none removed (no --prune)'}`,
    );
    return 0;
  } catch (error) {
    // Driver messages name hosts, not credentials; the URL itself is never printed.
    output.err(`catalog: could not write the labs to MongoDB: ${(error as Error).message}`);
    return 1;
  } finally {
    await persistence?.close();
  }
}
