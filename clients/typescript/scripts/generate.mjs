// Makes src/generated/*.ts from the contract snapshots (contract/*.json): openapi-typescript for each service's
// OpenAPI document, and the chat hub's types from its AsyncAPI document. `--check` writes nothing and fails when a
// generated file differs from what the snapshots make (the contract test runs it).
import { readFile, writeFile, readdir, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const contract = join(root, "contract");
const generated = join(root, "src", "generated");
const check = process.argv.includes("--check");
export const services = ["identity", "social", "messaging", "events", "payments", "ai-companion"];

const header = (source) =>
  `// Generated from contract/${source} by scripts/generate.mjs: do not edit; run clients/typescript/generate.sh.\n\n`;

/**
 * A file in a multipart form, or the bytes of an answer (a string of format binary), is a Blob: what a browser's
 * FormData takes and what openapi-fetch's `parseAs: "blob"` gives. openapi-typescript's own type for it is string.
 */
function binaryAsBlob(schema) {
  if (schema.type !== "string" || schema.format !== "binary") return undefined;
  return ts.factory.createTypeReferenceNode("Blob");
}

async function openApiTypes(service) {
  const source = `${service}.openapi.json`;
  const document = JSON.parse(await readFile(join(contract, source), "utf8"));
  return header(source) + astToString(await openapiTS(document, { silent: true, transform: binaryAsBlob }));
}

/** The TypeScript of an inline JSON schema (a hub argument or result); named schemas are the components' types. */
function tsOf(schema) {
  if (schema === true || schema === undefined) return "unknown";
  if (schema.$ref) return `components["schemas"]["${schema.$ref.split("/").pop()}"]`;
  if (schema.allOf?.length === 1) return tsOf(schema.allOf[0]);
  const union = schema.oneOf ?? schema.anyOf;
  if (union) return union.map(tsOf).join(" | ");
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types
    .map((type) => {
      switch (type) {
        case "string": return "string";
        case "integer":
        case "number": return "number";
        case "boolean": return "boolean";
        case "null": return "null";
        case "array": return `Array<${tsOf(schema.items)}>`;
        case "object": return "Record<string, unknown>";
        default: return "unknown";
      }
    })
    .join(" | ");
}

const doc = (text) => (text ? `    /** ${text.replaceAll("*/", "* /")} */\n` : "");

async function hubTypes() {
  const source = "messaging.asyncapi.json";
  const asyncApi = JSON.parse(await readFile(join(contract, source), "utf8"));
  const schemas = {
    openapi: "3.1.0",
    info: { title: asyncApi.info.title, version: asyncApi.info.version },
    paths: {},
    components: { schemas: asyncApi.components.schemas },
  };
  const message = (reference) => asyncApi.components.messages[reference.$ref.split("/").pop()];
  const [channel] = Object.values(asyncApi.channels);
  let methods = "";
  let events = "";
  const eventNames = [];
  const methodNames = [];
  for (const [name, operation] of Object.entries(asyncApi.operations)) {
    if (operation.action === "receive") {
      const args = message(operation.messages[0]).payload.items
        .map((item) => `${item.title}: ${tsOf(item.allOf?.length === 1 ? item.allOf[0] : item)}`)
        .join(", ");
      const result = message(operation.reply.messages[0]).payload;
      methods += doc(operation.summary);
      methods += `    ${name}: { args: [${args}]; result: ${result.type === "null" ? "void" : tsOf(result)} };\n`;
      methodNames.push(name);
    } else {
      events += doc(operation.summary);
      events += `    ${name}: ${tsOf(message(operation.messages[0]).payload)};\n`;
      eventNames.push(name);
    }
  }
  return (
    header(source) +
    astToString(await openapiTS(schemas, { silent: true })) +
    `\n/** The hub's address under the gateway. */\nexport const hubPath = ${JSON.stringify(channel.address)};\n` +
    `\n/** Hub methods a client invokes: their arguments, in order, and what they answer. */\nexport interface HubMethods {\n${methods}}\n` +
    `\n/** Events the hub sends: each one's payload. */\nexport interface HubEvents {\n${events}}\n` +
    `\nexport const hubMethodNames = ${JSON.stringify(methodNames)} as const;\n` +
    `\nexport const hubEventNames = ${JSON.stringify(eventNames)} as const;\n`
  );
}

/**
 * The operations whose contract says no token at all (`security: []`): signing in or up, a refresh, a password reset,
 * the waitlist, the keys, the provider's webhook. An operation that reads a token when one is sent says
 * `[{}, {bearer: []}]` and is not among them.
 */
async function tokenlessOperations() {
  const operations = [];
  for (const service of services) {
    const document = JSON.parse(await readFile(join(contract, `${service}.openapi.json`), "utf8"));
    for (const [path, item] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(item))
        if (Array.isArray(operation?.security) && operation.security.length === 0)
          operations.push(`${method.toUpperCase()} ${path}`);
  }
  return (
    header("*.openapi.json") +
    "/** The operations the contract says take no token (security: []), as \"METHOD /path/{template}\". */\n" +
    `export const tokenlessOperations: ReadonlySet<string> = new Set(${JSON.stringify(operations.sort(), null, 2)});\n`
  );
}

const outputs = new Map();
for (const service of services) outputs.set(`${service}.ts`, await openApiTypes(service));
outputs.set("tokenless.ts", await tokenlessOperations());
outputs.set("messaging-hub.ts", await hubTypes());

if (check) {
  const stale = [];
  const present = new Set(await readdir(generated).catch(() => []));
  for (const [file, text] of outputs) {
    const current = present.has(file) ? await readFile(join(generated, file), "utf8") : null;
    if (current !== text) stale.push(file);
  }
  for (const file of present) if (!outputs.has(file)) stale.push(file);
  if (stale.length > 0) {
    console.error(`src/generated is not what contract/ makes (${stale.join(", ")}): run clients/typescript/generate.sh`);
    process.exit(1);
  }
  console.log("src/generated matches contract/");
} else {
  await mkdir(generated, { recursive: true });
  for (const [file, text] of outputs) await writeFile(join(generated, file), text);
  console.log(`wrote ${[...outputs.keys()].map((f) => "src/generated/" + f).join(", ")}`);
}
