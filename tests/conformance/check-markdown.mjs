#!/usr/bin/env node
// check-markdown.mjs FILE [--expect table,list,details,diff]
//
// Parses a glc diff --format markdown report with markdown-it (CommonMark + GFM tables, raw
// HTML allowed, as GitHub renders comments) and prints its structure, one item a line:
//   heading N TEXT | table ROWS | list ITEMS | details SUMMARY | fence INFO LINES | html-unbalanced
// With --expect, exits 1 unless every named part is present: a table, a bullet list, a
// <details><summary> block that holds at least one ```diff fence, all inside one balanced
// <details>…</details>.

import fs from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const MarkdownIt = require("markdown-it");

const argv = process.argv.slice(2);
if (!argv.length) {
  console.error("usage: check-markdown.mjs FILE [--expect table,list,details,diff]");
  process.exit(2);
}
const text = fs.readFileSync(argv[0] === "-" ? 0 : argv[0], "utf8");
const expect = argv[1] === "--expect" ? (argv[2] || "").split(",").filter(Boolean) : [];

const md = new MarkdownIt({ html: true });
const tokens = md.parse(text, {});
const found = { table: 0, list: 0, details: 0, diff: 0 };
let depth = 0, diffInDetails = 0, unbalanced = false;
for (let i = 0; i < tokens.length; i++) {
  const t = tokens[i];
  if (t.type === "heading_open") console.log(`heading ${t.tag.slice(1)} ${tokens[i + 1].content}`);
  if (t.type === "table_open") {
    let rows = 0;
    for (let j = i; j < tokens.length && tokens[j].type !== "table_close"; j++) rows += tokens[j].type === "tr_open";
    console.log(`table ${rows}`);
    found.table++;
  }
  if (t.type === "bullet_list_open" && t.level === 0) {
    let items = 0;
    for (let j = i; j < tokens.length && !(tokens[j].type === "bullet_list_close" && tokens[j].level === 0); j++)
      items += tokens[j].type === "list_item_open" && tokens[j].level === 1;
    console.log(`list ${items}`);
    found.list++;
  }
  if (t.type === "html_block") {
    const opens = (t.content.match(/<details>/g) || []).length, closes = (t.content.match(/<\/details>/g) || []).length;
    const m = t.content.match(/<details><summary>(.*?)<\/summary>/);
    if (m) { console.log(`details ${m[1]}`); found.details++; }
    depth += opens - closes;
    if (depth < 0) unbalanced = true;
  }
  if (t.type === "fence") {
    console.log(`fence ${t.info} ${t.content.split("\n").length - 1}`);
    if (t.info === "diff") { found.diff++; if (depth > 0) diffInDetails++; }
  }
}
if (depth !== 0 || unbalanced) console.log("html-unbalanced");
let bad = 0;
for (const e of expect) {
  const ok = e === "diff" ? diffInDetails > 0 : found[e] > 0;
  if (!ok) { console.log(`missing ${e}`); bad++; }
}
if (depth !== 0 || unbalanced) bad++;
process.exit(expect.length && bad ? 1 : 0);
