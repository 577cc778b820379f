// Entry point for `node dist/libs/catalog/src/load-catalog-main.js [--dir ...] [--check] [--prune]`.
import 'reflect-metadata';
import { runLoadCatalogCli } from './load-catalog-cli';

runLoadCatalogCli(process.argv.slice(2), process.env).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`catalog: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
