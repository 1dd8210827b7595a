// Collects every problem code (a `pub const NAME: &str = "code";` with its doc comment, in a
// `codes.rs` file or a `pub mod codes { … }` block) and the codes of the errors the Node side
// throws (`export const NAME = "code";` after a `/** doc */` line, in node/codes.js) into
// docs/problem-codes.md.
//   node scripts/problem-codes.mjs          write the page
//   node scripts/problem-codes.mjs --check  exit 1 when the page is out of date
import { readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const target = join(root, "docs/problem-codes.md");

function* rustFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* rustFiles(path);
    else if (entry.name.endsWith(".rs")) yield path;
  }
}

/** The codes of one file: [{name, code, doc}], in source order. */
function codesOf(path) {
  const lines = readFileSync(path, "utf8").split("\n");
  const wholeFile = path.endsWith("/codes.rs");
  const found = [];
  let inBlock = false;
  let doc = [];
  for (const line of lines) {
    if (/^\s*pub mod codes \{/.test(line)) { inBlock = true; doc = []; continue; }
    if (inBlock && /^\}/.test(line)) { inBlock = false; continue; }
    const comment = line.match(/^\s*\/\/\/ ?(.*)$/);
    if (comment) { doc.push(comment[1]); continue; }
    const constant = line.match(/^\s*pub const (\w+): &str = "([^"]+)";/);
    if (constant && (wholeFile || inBlock)) found.push({ name: constant[1], code: constant[2], doc: doc.join(" ") });
    doc = [];
  }
  return found;
}

const sections = [];
for (const path of rustFiles(join(root, "src"))) {
  const codes = codesOf(path);
  if (codes.length) sections.push({ file: relative(root, path), codes });
}

/** The codes of node/codes.js: [{name, code, doc}], in source order. */
function nodeCodes(path) {
  const found = [];
  let doc = "";
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const comment = line.match(/^\/\*\* (.*) \*\/$/);
    const constant = line.match(/^export const (\w+) = "([^"]+)";/);
    if (comment) doc = comment[1];
    else if (constant) found.push({ name: constant[1], code: constant[2], doc });
    else doc = "";
  }
  return found;
}
sections.push({ file: "node/codes.js", codes: nodeCodes(join(root, "node/codes.js")) });

let page = "# Problem codes\n\n";
page += "Every finding mxdag reports is `{code, path, message, severity}`. The codes below are\n";
page += "stable; this page is generated from the source by `node scripts/problem-codes.mjs`\n";
page += "(a test fails when it is out of date). Errors thrown to JS callers carry one of these\n";
page += "codes in their `code` property; the last section lists those only the Node side throws.\n";
for (const { file, codes } of sections) {
  page += `\n## \`${file}\`\n\n| code | meaning |\n|---|---|\n`;
  for (const { code, doc } of codes) page += `| \`${code}\` | ${doc.replaceAll("|", "\\|")} |\n`;
}

if (process.argv.includes("--check")) {
  const current = existsSync(target) ? readFileSync(target, "utf8") : "";
  if (current !== page) {
    console.error("docs/problem-codes.md is out of date: run `node scripts/problem-codes.mjs`");
    process.exit(1);
  }
} else {
  writeFileSync(target, page);
  console.log(`wrote ${relative(root, target)}: ${sections.reduce((n, s) => n + s.codes.length, 0)} codes`);
}
