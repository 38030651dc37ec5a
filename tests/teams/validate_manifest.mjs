// Validate Teams app manifests and localisation files against Microsoft's official JSON
// schemas, offline, with the validator of the npm package @microsoft/app-manifest (the one
// Microsoft's Agents Toolkit uses: ajv with the schema's own draft).
//
//   node tests/teams/validate_manifest.mjs FILE.json [FILE.json ...]
//
// Each file's `$schema` (a developer.microsoft.com json-schemas URL) picks the schema bundled
// in the package (build/json-schemas/teams/vX.Y/...). A schema the package does not bundle is
// an error: nothing is fetched, and `fetch` is disabled so the package cannot fall back to the
// network either.
//
// Manifests go through the package's own AppManifestUtils.validateAgainstSchema. Its ajv
// cannot compile Microsoft's localisation schema (some patternProperties, such as
// `activities.activityTypes\[\b(...)\b]`, are invalid regular expressions under ajv's
// default `u` flag), so localisation files are checked with the same ajv build and the same
// options, plus `unicodeRegExp: false`.
//
// Prints "OK FILE" or "FAIL FILE" followed by one "  error" line per schema error.
// Exit status: 0 all valid, 1 some file invalid, 2 usage or set-up error (package missing,
// unreadable file, schema not bundled).
//
// The package is looked up in tests/.npm (installed there by tests/install.sh), or in the
// npm prefix named by ONTWIKKELGESPREK_NPM_PREFIX.

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE = "@microsoft/app-manifest";
const here = path.dirname(fileURLToPath(import.meta.url));
const prefix = process.env.ONTWIKKELGESPREK_NPM_PREFIX || path.join(here, "..", ".npm");

function setupError(message) {
  console.error(`validate_manifest: ${message}`);
  process.exit(2);
}

globalThis.fetch = async (url) => {
  throw new Error(`network access is disabled in this validator (asked for ${url})`);
};

const require = createRequire(path.join(prefix, "package.json"));
let packageDir;
let AppManifestUtils;
let AjvDraft04;
let addFormats;
try {
  packageDir = path.dirname(require.resolve(`${PACKAGE}/package.json`));
  ({ AppManifestUtils } = require(PACKAGE));
  // The ajv the package itself uses, resolved from the package's own location.
  const packageRequire = createRequire(path.join(packageDir, "package.json"));
  AjvDraft04 = packageRequire("ajv-draft-04").default;
  addFormats = packageRequire("ajv-formats").default;
} catch (error) {
  setupError(
    `${PACKAGE} is not installed in ${prefix} (${error.message.split("\n")[0]}); ` +
      "run `bash tests/install.sh`",
  );
}

function validateLocalization(document, schema) {
  // As AppManifestUtils.validateAgainstSchema does for a draft-04 schema, but with
  // `unicodeRegExp: false` (see the top of this file).
  const ajv = new AjvDraft04({ allErrors: true, strictTypes: false, unicodeRegExp: false });
  addFormats(ajv, ["uri", "email", "regex"]);
  const validate = ajv.compile(schema);
  if (validate(document)) {
    return [];
  }
  return validate.errors.map(
    (error) => `${error.instancePath} ${error.message || ""}. Details: ${JSON.stringify(error.params)}`,
  );
}

const files = process.argv.slice(2);
if (files.length === 0) {
  setupError("usage: node validate_manifest.mjs FILE.json [FILE.json ...]");
}

let failed = false;
for (const file of files) {
  let document;
  try {
    document = JSON.parse(readFileSync(file, "utf8").replace(/^\uFEFF/, ""));
  } catch (error) {
    setupError(`cannot read ${file}: ${error.message}`);
  }
  const schemaUrl = typeof document.$schema === "string" ? document.$schema : "";
  const suffix = AppManifestUtils.getLocalSchemaSuffix(schemaUrl);
  const schemaFile = suffix && path.join(packageDir, "build", suffix);
  if (!schemaFile || !existsSync(schemaFile)) {
    setupError(`${file}: $schema ${JSON.stringify(schemaUrl)} is not bundled in ${PACKAGE}`);
  }
  let errors;
  try {
    // The package's own loader: it reads the bundled file (fetch is disabled above).
    const schema = await AppManifestUtils.fetchSchema(schemaUrl);
    errors = schemaFile.endsWith(".Localization.schema.json")
      ? validateLocalization(document, schema)
      : await AppManifestUtils.validateAgainstSchema(document, schema);
  } catch (error) {
    setupError(`${file}: the validator failed: ${error.stack || error}`);
  }
  if (errors.length === 0) {
    console.log(`OK ${file}`);
  } else {
    failed = true;
    console.log(`FAIL ${file}`);
    for (const error of errors) {
      console.log(`  ${error}`);
    }
  }
}
process.exit(failed ? 1 : 0);
