// Validates AsyncAPI documents as `asyncapi validate` does, with the library it uses (@asyncapi/parser): every
// diagnostic is printed, and the exit code is 1 when any is an error (CI: ClientContractCheckTests).
// Usage: node scripts/validate-asyncapi.mjs [file...]   (default: contract/messaging.asyncapi.json)
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";

const files = process.argv.length > 2 ? process.argv.slice(2) : ["contract/messaging.asyncapi.json"];
const severities = { [DiagnosticSeverity.Error]: "error", [DiagnosticSeverity.Warning]: "warning", [DiagnosticSeverity.Information]: "info", [DiagnosticSeverity.Hint]: "hint" };
const parser = new Parser();
let errors = 0;
for (const file of files) {
    const diagnostics = await parser.validate(await readFile(file, "utf8"), { source: resolve(file) });
    for (const d of diagnostics) {
        const at = d.path.length > 0 ? d.path.join("/") : "(document)";
        console.log(`${file} ${severities[d.severity] ?? d.severity} ${d.code}: ${d.message} at ${at}`);
        if (d.severity === DiagnosticSeverity.Error) errors++;
    }
    console.log(`${file}: ${diagnostics.length} diagnostics`);
}
if (errors > 0) {
    console.log(`${errors} errors`);
    process.exit(1);
}
