//! `ecspipe lsp`: a language server over standard input and output.
//!
//! Contract: reads JSON-RPC messages framed by `Content-Length` headers
//! (`rpc.rs`), keeps the open documents' text (full or ranged changes),
//! and answers with what the compiler knows: diagnostics from the same
//! check the command line runs, with the same codes, messages and spans
//! (`features.rs`); hover, completion and go to definition from the
//! statement table and the file's structure (`outline.rs`; `split.rs`
//! splits a line into statements as the checker does); formatting from
//! `syntax::format`, what `ecspipe fmt` writes; positions in
//! UTF-16 code units (`position.rs`). It writes nothing but protocol
//! messages on its output and never stops on a bad message: a malformed
//! one is answered with an error, a panic in a handler with an internal
//! error (or, for a notification, an error in the client's log).

mod features;
mod outline;
mod position;
mod rpc;
mod split;

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};

use serde_json::{json, Value};

use crate::diagnostic::Diagnostic;
use position::Lines;

/// JSON-RPC error codes the server answers with.
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
const INTERNAL_ERROR: i64 = -32603;
const SERVER_NOT_INITIALIZED: i64 = -32002;
const REQUEST_FAILED: i64 = -32803;

/// An open document.
struct Document {
    text: String,
    version: Value,
    diagnostics: Vec<Diagnostic>,
}

/// The server's state between messages.
#[derive(Default)]
struct Server {
    initialized: bool,
    shut_down: bool,
    documents: BTreeMap<String, Document>,
}

/// What a request handler returns: a result or an error code and message.
type Reply = Result<Value, (i64, String)>;

/// Serves one client until it sends `exit` or closes the input. Returns
/// whether it asked to shut down first (the exit code is 0 then, 1 if not).
///
/// # Errors
///
/// The input could not be read or the output written.
pub fn serve(mut input: impl BufRead, mut output: impl Write) -> io::Result<bool> {
    let mut server = Server::default();
    while let Some(frame) = rpc::read(&mut input)? {
        let message = match frame {
            rpc::Frame::Message(message) => message,
            rpc::Frame::Malformed(error) => {
                rpc::write(&mut output, &error_response(&Value::Null, PARSE_ERROR, &error))?;
                continue;
            }
        };
        let Some(method) = message.get("method").and_then(Value::as_str).map(str::to_owned) else {
            if message.get("id").is_none() || !message.is_object() {
                let error = "a message is an object with a method, or a response with an id";
                rpc::write(&mut output, &error_response(&Value::Null, INVALID_REQUEST, error))?;
            }
            // A response to a request the server never sent: nothing to do.
            continue;
        };
        let params = message.get("params").cloned().unwrap_or(Value::Null);
        match message.get("id") {
            Some(id) => {
                let reply = catch_unwind(AssertUnwindSafe(|| server.request(&method, &params)))
                    .unwrap_or_else(|_| Err((INTERNAL_ERROR, format!("ecspipe failed on {method}"))));
                let response = match reply {
                    Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
                    Err((code, error)) => error_response(id, code, &error),
                };
                rpc::write(&mut output, &response)?;
            }
            None if method == "exit" => return Ok(server.shut_down),
            None => {
                let published = catch_unwind(AssertUnwindSafe(|| server.notification(&method, &params)))
                    .unwrap_or_else(|_| {
                        let message = format!("ecspipe failed on {method}");
                        vec![json!({ "jsonrpc": "2.0", "method": "window/logMessage", "params": { "type": 1, "message": message } })]
                    });
                for notification in published {
                    rpc::write(&mut output, &notification)?;
                }
            }
        }
    }
    Ok(false)
}

fn error_response(id: &Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

/// What the server offers, for `initialize`.
fn capabilities() -> Value {
    json!({
        "capabilities": {
            "positionEncoding": "utf-16",
            "textDocumentSync": { "openClose": true, "change": 1 },
            "hoverProvider": true,
            "completionProvider": { "triggerCharacters": ["."] },
            "definitionProvider": true,
            "documentFormattingProvider": true,
        },
        "serverInfo": { "name": "ecspipe", "version": env!("CARGO_PKG_VERSION") },
    })
}

impl Server {
    fn request(&mut self, method: &str, params: &Value) -> Reply {
        if self.shut_down {
            return Err((INVALID_REQUEST, String::from("the server is shutting down")));
        }
        if method == "initialize" {
            if self.initialized {
                return Err((INVALID_REQUEST, String::from("the server is already initialized")));
            }
            self.initialized = true;
            return Ok(capabilities());
        }
        if !self.initialized {
            return Err((SERVER_NOT_INITIALIZED, String::from("the server is not initialized")));
        }
        match method {
            "shutdown" => {
                self.shut_down = true;
                Ok(Value::Null)
            }
            "textDocument/hover" | "textDocument/completion" | "textDocument/definition" => {
                let uri = uri(params).ok_or_else(|| (INVALID_PARAMS, String::from("no textDocument.uri")))?;
                let position = params.get("position").unwrap_or(&Value::Null);
                let invalid = || (INVALID_PARAMS, String::from("no position (line and character)"));
                // Checked against an empty text first: a bad position is an
                // error whether or not the document is open.
                Lines::new("").offset(position).ok_or_else(invalid)?;
                let Some(document) = self.documents.get(uri) else { return Ok(Value::Null) };
                let text = document.text.as_str();
                let offset = Lines::new(text).offset(position).ok_or_else(invalid)?;
                Ok(match method {
                    "textDocument/hover" => features::hover(text, &document.diagnostics, offset).unwrap_or(Value::Null),
                    "textDocument/completion" => features::completion(text, offset),
                    _ => features::definition(text, offset)
                        .map_or(Value::Null, |span| json!({ "uri": uri, "range": Lines::new(text).range(span) })),
                })
            }
            "textDocument/formatting" => {
                let uri = uri(params).ok_or_else(|| (INVALID_PARAMS, String::from("no textDocument.uri")))?;
                let Some(document) = self.documents.get(uri) else { return Ok(Value::Null) };
                features::formatting(&document.text).ok_or_else(|| {
                    let message = "the file does not parse (see its diagnostics): `ecspipe fmt` formats files that do";
                    (REQUEST_FAILED, String::from(message))
                })
            }
            _ => Err((METHOD_NOT_FOUND, format!("ecspipe does not answer {method}"))),
        }
    }

    /// Handles a notification; returns the notifications to send back.
    fn notification(&mut self, method: &str, params: &Value) -> Vec<Value> {
        if !self.initialized {
            return Vec::new();
        }
        let Some(uri) = uri(params).map(str::to_owned) else { return Vec::new() };
        let document = params.get("textDocument").unwrap_or(&Value::Null);
        let version = document.get("version").cloned().unwrap_or(Value::Null);
        match method {
            "textDocument/didOpen" => {
                let text = document.get("text").and_then(Value::as_str).unwrap_or_default().to_owned();
                self.documents.insert(uri.clone(), Document { text, version, diagnostics: Vec::new() });
            }
            "textDocument/didChange" => {
                let Some(open) = self.documents.get_mut(&uri) else { return Vec::new() };
                let changes = params.get("contentChanges").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
                for change in changes {
                    apply(&mut open.text, change);
                }
                open.version = version;
            }
            "textDocument/didClose" => {
                self.documents.remove(&uri);
                return vec![publish(&uri, &Value::Null, Vec::new())];
            }
            _ => return Vec::new(),
        }
        let Some(open) = self.documents.get_mut(&uri) else { return Vec::new() };
        open.diagnostics = features::check(&open.text, file_name(&uri));
        let lines = Lines::new(&open.text);
        let diagnostics = open.diagnostics.iter().map(|d| features::diagnostic(d, &lines, &uri)).collect();
        vec![publish(&uri, &open.version, diagnostics)]
    }
}

/// Applies one content change: a range and its new text, or the whole text.
fn apply(text: &mut String, change: &Value) {
    let Some(new) = change.get("text").and_then(Value::as_str) else { return };
    match change.get("range") {
        Some(range) => {
            let lines = Lines::new(text);
            let start = range.get("start").and_then(|p| lines.offset(p));
            let end = range.get("end").and_then(|p| lines.offset(p));
            if let (Some(start), Some(end)) = (start, end) {
                text.replace_range(start.min(end)..end.max(start), new);
            }
        }
        None => *text = new.to_owned(),
    }
}

fn publish(uri: &str, version: &Value, diagnostics: Vec<Value>) -> Value {
    let mut params = json!({ "uri": uri, "diagnostics": diagnostics });
    if !version.is_null() {
        params["version"] = version.clone();
    }
    json!({ "jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": params })
}

fn uri(params: &Value) -> Option<&str> {
    params.get("textDocument")?.get("uri")?.as_str()
}

/// How diagnostics name a document: the last part of its URI.
fn file_name(uri: &str) -> &str {
    uri.rsplit('/').next().unwrap_or(uri)
}
