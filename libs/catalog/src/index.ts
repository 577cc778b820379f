// The lab catalog: lab YAML files (deploy/catalog, checked against contracts/lab.schema.json) validated with every
// error reported, and synchronised into MongoDB idempotently.
export { formatCatalogErrors, type CatalogError } from './catalog-error';
export { parseLabFile, type ParseLabResult } from './parse-lab-file';
export { checkCatalog, type CatalogResult } from './check-catalog';
export { loadCatalogDirectory } from './load-catalog-directory';
export { labSchemaPath, type FieldError } from './validate-lab-schema';
export {
  labFromDocument,
  planCatalogSync,
  syncCatalog,
  upsertLabs,
  type CatalogSyncPlan,
  type CatalogSyncResult,
} from './sync-catalog';
export { runLoadCatalogCli } from './load-catalog-cli';
export { parseLabObject } from './parse-lab-object';
