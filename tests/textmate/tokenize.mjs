// Tokenises ecspipe texts with a TextMate grammar, as VS Code does
// (vscode-textmate with the Oniguruma regular expressions compiled to
// WebAssembly). Reads {"grammar": PATH, "files": [{"name", "text"}]} as
// JSON on stdin; writes, for each file, each line's tokens as
// [start, end, [scopes...]] with UTF-16 offsets within the line.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import oniguruma from "vscode-oniguruma";
import textmate from "vscode-textmate";

const require = createRequire(import.meta.url);
const input = JSON.parse(readFileSync(0, "utf8"));
const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
await oniguruma.loadWASM(wasm);
const registry = new textmate.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (text) => new oniguruma.OnigString(text),
  }),
  loadGrammar: async () => textmate.parseRawGrammar(readFileSync(input.grammar, "utf8"), input.grammar),
});
const grammar = await registry.loadGrammar("source.ecspipe");
const output = input.files.map(({ name, text }) => {
  let stack = textmate.INITIAL;
  const lines = text.split(/\r\n|\r|\n/).map((line) => {
    const result = grammar.tokenizeLine(line, stack);
    stack = result.ruleStack;
    return result.tokens.map((token) => [token.startIndex, Math.min(token.endIndex, line.length), token.scopes]);
  });
  return { name, lines };
});
process.stdout.write(JSON.stringify(output));
