// Starts `ecspipe lsp` for .ecspipe files. The binary is `ecspipe` on the
// PATH, or the setting `ecspipe.path`.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("ecspipe").get("path") || "ecspipe";
  client = new LanguageClient(
    "ecspipe",
    "ecspipe",
    { command, args: ["lsp"] },
    { documentSelector: [{ scheme: "file", language: "ecspipe" }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
