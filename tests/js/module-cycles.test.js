// The core's modules depend on each other one way: among the top-level modules of src/, and
// among the submodules of each, no two reach each other through `use crate::…`/`super::…`
// (docs/architecture.md draws the order).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";

/** The module path of a source file: src/a/b.rs → [a, b]; src/a/mod.rs and src/a.rs → [a]. */
function moduleOf(file) {
  const parts = file.replace(/\.rs$/, "").split("/");
  if (parts.at(-1) === "mod") parts.pop();
  return parts[0] === "lib" ? [] : parts;
}

/** Every `[from, to]` module-path pair a file's code (not its comments) names. */
function references() {
  const pairs = [];
  for (const file of readdirSync("src", { recursive: true }).filter((f) => f.endsWith(".rs"))) {
    const from = moduleOf(file);
    const code = readFileSync(`src/${file}`, "utf8").replace(/\/\/.*$/gm, "");
    for (const m of code.matchAll(/\bcrate::((?:\w+::)*\w+)/g)) pairs.push([from, m[1].split("::")]);
    for (const m of code.matchAll(/\bsuper::((?:\w+::)*\w+)/g)) pairs.push([from, [...from.slice(0, -1), ...m[1].split("::")]]);
  }
  return pairs;
}

/** The dependency graph among the children of module `parent`: Map child → Set of children. */
function graphUnder(parent, pairs) {
  const depth = parent.length;
  const under = (path) => path.length > depth && parent.every((p, i) => path[i] === p);
  const graph = new Map();
  for (const [from, to] of pairs) {
    if (!under(from) || !under(to) || from[depth] === to[depth]) continue;
    if (!graph.has(from[depth])) graph.set(from[depth], new Set());
    graph.get(from[depth]).add(to[depth]);
  }
  return graph;
}

/** Strongly connected components of more than one node (Tarjan). */
function cycles(graph) {
  const index = new Map(), low = new Map(), stack = [], onStack = new Set(), found = [];
  const visit = (v) => {
    index.set(v, index.size); low.set(v, index.get(v)); stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); component.push(w); } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test("no dependency cycles between the core's modules", () => {
  const pairs = references();
  assert.ok(pairs.length > 100, "the scan sees the crate's references");
  const parents = [[], ...new Set(pairs.map(([from]) => from.slice(0, 1).join("::")).filter(Boolean))].map((p) => (Array.isArray(p) ? p : [p]));
  const found = parents.flatMap((parent) => cycles(graphUnder(parent, pairs)).map((c) => `${parent.join("::") || "crate"}: ${c.join(" ↔ ")}`));
  assert.deepEqual(found, []);
});

test("the cycle check sees a cycle when there is one", () => {
  const pairs = [[["a"], ["b", "x"]], [["b", "y"], ["a"]], [["c"], ["a"]]];
  assert.deepEqual(cycles(graphUnder([], pairs)), [["a", "b"]]);
});
