//! `ecspipe lsp`: a real JSON-RPC exchange with the built binary over
//! stdio (initialize, diagnostics as a file is opened and changed, hover,
//! completion, definition, shutdown and exit), the protocol's errors, and
//! a seeded run of random edits and requests through the library's server
//! that must never fail inside the server.

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::support;

const URI: &str = "file:///repo/pipelines/web.ecspipe";

/// The file opened first: one error, on a line with a character outside
/// the Basic Multilingual Plane before it (two UTF-16 code units).
const TEXT: &str = r#"pipeline web {
  region us-east-2
  role   secret.IAM_ROLE

  build api {
    context    "."
    repository web-api
  }

  deploy api {
    stack deploy/api
    state s3 bucket "tfstate" key "api.tfstate"
    infra ssm "/web/output"
    apply on main

    service web {
      cpu 256
      container app {
        image build.api
        port  8080
        env   GREETING = "héllo 😀"  memroy 512mb
      }
    }
  }
}
"#;

fn frame(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    bytes.extend(body.as_bytes());
    bytes
}

/// Splits the server's output into its messages.
fn messages(mut output: &[u8]) -> Vec<Value> {
    let mut messages = Vec::new();
    while !output.is_empty() {
        let header_end = output.windows(4).position(|w| w == b"\r\n\r\n").expect("a header ends");
        let header = std::str::from_utf8(&output[..header_end]).expect("ASCII header");
        let length: usize = header.strip_prefix("Content-Length: ").expect("Content-Length").parse().expect("a length");
        let body = &output[header_end + 4..header_end + 4 + length];
        messages.push(serde_json::from_slice(body).expect("JSON body"));
        output = &output[header_end + 4 + length..];
    }
    messages
}

/// Runs `ecspipe lsp` with these messages on stdin: its messages and exit code.
fn exchange(input: &[Value]) -> (Vec<Value>, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecspipe"))
        .arg("lsp")
        .current_dir(support::root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ecspipe lsp starts");
    let mut stdin = child.stdin.take().expect("stdin");
    for message in input {
        stdin.write_all(&frame(message)).expect("the server reads");
    }
    drop(stdin);
    let output = child.wait_with_output().expect("the server ends");
    assert!(output.stderr.is_empty(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    (messages(&output.stdout), output.status.code().expect("exited"))
}

fn request(id: u64, method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
}

fn notification(method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "method": method, "params": params })
}

fn at(id: u64, method: &str, line: u64, character: u64) -> Value {
    request(id, method, json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": character } }))
}

fn result(messages: &[Value], id: u64) -> &Value {
    let response = messages.iter().find(|m| m["id"] == id).unwrap_or_else(|| panic!("no response {id}"));
    assert!(response.get("error").is_none(), "{response}");
    &response["result"]
}

fn labels(items: &Value) -> Vec<&str> {
    items.as_array().expect("a list of items").iter().map(|item| item["label"].as_str().expect("a label")).collect()
}

#[test]
fn lsp_exchange_over_stdio() {
    let unfinished = TEXT.replace("image build.api", "image build.");
    let (messages, code) = exchange(&[
        request(1, "initialize", json!({ "capabilities": {} })),
        notification("initialized", json!({})),
        notification(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": URI, "languageId": "ecspipe", "version": 1, "text": TEXT } }),
        ),
        at(2, "textDocument/hover", 20, 39),
        at(3, "textDocument/hover", 19, 9),
        at(4, "textDocument/definition", 18, 21),
        at(5, "textDocument/completion", 17, 0),
        at(6, "textDocument/completion", 20, 39),
        notification(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": 2 }, "contentChanges": [{ "text": unfinished }] }),
        ),
        at(7, "textDocument/completion", 18, 20),
        at(8, "textDocument/completion", 16, 10),
        request(9, "textDocument/formatting", json!({ "textDocument": { "uri": URI }, "options": {} })),
        request(10, "shutdown", Value::Null),
        notification("exit", Value::Null),
    ]);
    assert_eq!(code, 0, "exit after shutdown");
    assert_eq!(
        result(&messages, 1),
        &json!({
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
    );
    let published: Vec<&Value> =
        messages.iter().filter(|m| m["method"] == "textDocument/publishDiagnostics").map(|m| &m["params"]).collect();
    // The command line says `21:37` (characters); the protocol counts the
    // emoji as two UTF-16 code units.
    assert_eq!(
        published[0],
        &json!({
            "uri": URI,
            "version": 1,
            "diagnostics": [{
                "range": { "start": { "line": 20, "character": 37 }, "end": { "line": 20, "character": 43 } },
                "severity": 1,
                "code": "E002",
                "source": "ecspipe",
                "message": "unknown statement `memroy` in a container block\nhelp: did you mean `memory`?",
            }],
        })
    );
    assert_eq!(published[1]["version"], 2);
    let broken = &published[1]["diagnostics"][0];
    assert_eq!((&broken["code"], &broken["range"]["start"]), (&json!("E001"), &json!({ "line": 18, "character": 19 })));

    let hover = result(&messages, 2)["contents"]["value"].as_str().expect("markdown");
    let explain = ecspipe::explain::explain(ecspipe::diagnostic::Code::UnknownStatement).expect("explained");
    assert_eq!(
        hover,
        format!(
            "**error[E002]**: unknown statement `memroy` in a container block\n\nhelp: did you mean `memory`?\n\n---\n\n{}",
            explain.replacen("## ", "### ", 1)
        )
    );
    assert_eq!(
        result(&messages, 3),
        &json!({
            "contents": {
                "kind": "markdown",
                "value": "```ecspipe\nport 8080 [http|http2|grpc]\n```\n\n`port`: a statement of a container block.",
            },
            "range": { "start": { "line": 19, "character": 8 }, "end": { "line": 19, "character": 12 } },
        })
    );
    assert_eq!(
        result(&messages, 4),
        &json!({ "uri": URI, "range": { "start": { "line": 4, "character": 8 }, "end": { "line": 4, "character": 11 } } })
    );
    let service: Vec<&str> = ecspipe::check::statements::SERVICE.specs.iter().map(|spec| spec.name).collect();
    assert_eq!(labels(result(&messages, 5)), service, "a service block's statements");
    // `env` takes no options: after it, the statements of the block.
    let container: Vec<&str> = ecspipe::check::statements::CONTAINER.specs.iter().map(|spec| spec.name).collect();
    assert_eq!(labels(result(&messages, 6)), container, "inside `memroy`");
    assert_eq!(
        result(&messages, 7),
        &json!([{
            "label": "build.api",
            "kind": 18,
            "detail": "the image of build api",
            "textEdit": {
                "range": { "start": { "line": 18, "character": 14 }, "end": { "line": 18, "character": 20 } },
                "newText": "build.api",
            },
        }])
    );
    let options = labels(result(&messages, 8));
    assert_eq!(options[0], "cpu", "cpu 256 |: the next statement");
    let refused = messages.iter().find(|m| m["id"] == 9).expect("response 9");
    assert_eq!(refused["error"]["code"], -32803, "a file that does not parse is not formatted: {refused}");
    assert_eq!(result(&messages, 10), &Value::Null);
}

#[test]
fn lsp_answers_protocol_errors_and_keeps_serving() {
    let (messages, code) = exchange(&[
        request(1, "textDocument/hover", json!({})),
        request(2, "initialize", json!({})),
        request(3, "initialize", json!({})),
        request(4, "workspace/symbol", json!({})),
        request(5, "textDocument/hover", json!({ "textDocument": { "uri": URI } })),
        json!([1, 2]),
        notification("exit", Value::Null),
    ]);
    assert_eq!(code, 1, "exit without shutdown");
    let errors: Vec<(Value, i64)> =
        messages.iter().filter_map(|m| Some((m["id"].clone(), m.get("error")?["code"].as_i64()?))).collect();
    assert_eq!(
        errors,
        [(json!(1), -32002), (json!(3), -32600), (json!(4), -32601), (json!(5), -32602), (Value::Null, -32600)]
    );
}

/// Opens one example in the library's server and sends `requests`
/// (method, line, character): their results, in order.
fn ask(example: &str, requests: &[(&str, u64, u64)]) -> Vec<Value> {
    let text = std::fs::read_to_string(support::root().join("pipelines").join(example)).expect("the example");
    let mut input = frame(&request(0, "initialize", json!({})));
    let open = json!({ "textDocument": { "uri": URI, "languageId": "ecspipe", "version": 1, "text": text } });
    input.extend(frame(&notification("textDocument/didOpen", open)));
    for (id, (method, line, character)) in requests.iter().enumerate() {
        input.extend(frame(&at(id as u64 + 1, &format!("textDocument/{method}"), *line, *character)));
    }
    let mut output = Vec::new();
    ecspipe::lsp::serve(&input[..], &mut output).expect("in-memory streams");
    let messages = messages(&output);
    assert_eq!(messages[1]["params"]["diagnostics"], json!([]), "{example} checks cleanly");
    (1..=requests.len() as u64).map(|id| result(&messages, id).clone()).collect()
}

fn range(line: u64, start: u64, end: u64) -> Value {
    json!({ "uri": URI, "range": { "start": { "line": line, "character": start }, "end": { "line": line, "character": end } } })
}

#[test]
fn lsp_follows_services_containers_and_environments() {
    // Positions found by their text: the line of `needle` and the column of
    // `needle`'s start plus `skip` (all ASCII: bytes are UTF-16 units).
    let at = |example: &str, needle: &str, skip: usize| -> (u64, u64) {
        let text = std::fs::read_to_string(support::root().join("pipelines").join(example)).expect("the example");
        let (line, column) = text
            .lines()
            .enumerate()
            .find_map(|(n, line)| line.find(needle).map(|c| (n, c)))
            .unwrap_or_else(|| panic!("`{needle}` in {example}"));
        (line as u64, (column + skip) as u64)
    };
    let m = |needle: &str, skip: usize| at("monorepo.ecspipe", needle, skip);
    let (calls, billing, scale, health) =
        (m("calls [billing]", 9), m("service billing {", 8), m("scale 2..8", 20), m("health \"curl", 99));
    let results = ask(
        "monorepo.ecspipe",
        &[
            ("definition", calls.0, calls.1),
            ("completion", calls.0, calls.1 - 2),
            ("hover", scale.0, scale.1),
            ("completion", health.0, health.1),
        ],
    );
    assert_eq!(results[0], range(billing.0, billing.1, billing.1 + 7), "billing, the service");
    assert_eq!(labels(&results[1]), ["billing"], "the other services");
    assert_eq!(
        results[2]["contents"]["value"],
        "```ecspipe\n".to_owned()
            + ecspipe::check::statements::SERVICE.specs.iter().find(|s| s.name == "scale").expect("scale").usage
            + "\n```\n\n`memory`: an option of `scale`.",
        "`memory` after `scale 2..8 cpu 70%`"
    );
    assert_eq!(labels(&results[3])[..4], ["every", "retries", "timeout", "grace"], "health's options first");
    let e = |needle: &str, skip: usize| at("environments.ecspipe", needle, skip);
    let (after_dev, dev, after_staging) = (e("staging { after dev", 17), e("dev     {", 0), e("after staging", 13));
    let results = ask(
        "environments.ecspipe",
        &[("definition", after_dev.0, after_dev.1), ("completion", after_staging.0, after_staging.1)],
    );
    assert_eq!(results[0], range(dev.0, dev.1, dev.1 + 3), "dev, the environment");
    assert_eq!(labels(&results[1]), ["dev", "staging"], "the other environments");
}

#[test]
fn lsp_formats_as_fmt_does() {
    let text = "pipeline web {\nregion   us-east-2 # where\n    role secret.IAM_ROLE\n}";
    let mut input = frame(&request(0, "initialize", json!({})));
    let open = json!({ "textDocument": { "uri": URI, "version": 1, "text": text } });
    input.extend(frame(&notification("textDocument/didOpen", open)));
    let format = json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } });
    input.extend(frame(&request(1, "textDocument/formatting", format.clone())));
    let formatted = "pipeline web {\n  region us-east-2  # where\n  role   secret.IAM_ROLE\n}\n";
    let change = json!({ "textDocument": { "uri": URI, "version": 2 }, "contentChanges": [{ "text": formatted }] });
    input.extend(frame(&notification("textDocument/didChange", change)));
    input.extend(frame(&request(2, "textDocument/formatting", format)));
    let mut output = Vec::new();
    ecspipe::lsp::serve(&input[..], &mut output).expect("in-memory streams");
    let messages = messages(&output);
    let whole = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 3, "character": 1 } });
    assert_eq!(result(&messages, 1), &json!([{ "range": whole, "newText": formatted }]));
    assert_eq!(result(&messages, 2), &json!([]), "already formatted: no edits");
}

/// A small seeded generator (xorshift), so that a failing run repeats.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn lsp_survives_random_edits_and_positions() {
    const PIECES: &[&str] = &[
        "",
        "{",
        "}",
        "[",
        "]",
        "\"",
        "#",
        "\n",
        "\r\n",
        "\r",
        "😀",
        "é",
        "build.",
        "infra.",
        "secret.",
        "calls [",
        "depends_on ",
        "after ",
        "container ",
        " = ",
        "service x {",
        "1..",
        "10.0.0.0/",
        "\\",
        ";",
        "\u{202e}",
    ];
    // ECSPIPE_LSP_FUZZ_ROUNDS=5000 for a long run; the seed is fixed.
    let rounds: u64 = std::env::var("ECSPIPE_LSP_FUZZ_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(40);
    let mut rng = Rng(0x5eed_1234_abcd_0042);
    let mut seeds: Vec<String> =
        support::pipelines().iter().map(|p| std::fs::read_to_string(p).expect("read")).collect();
    seeds.push(String::new());
    seeds.push(TEXT.to_owned());
    let mut input = Vec::new();
    input.extend(frame(&request(0, "initialize", json!({}))));
    let mut id = 1;
    for (n, seed) in seeds.iter().enumerate() {
        let uri = format!("file:///f{n}.ecspipe");
        let open = json!({ "textDocument": { "uri": uri, "version": 0, "text": seed } });
        input.extend(frame(&notification("textDocument/didOpen", open)));
        let lines = seed.lines().count() as u64 + 2;
        for version in 1..rounds {
            // Positions past the end, inside surrogate pairs, or not numbers.
            let position = |rng: &mut Rng| match rng.below(8) {
                0 => json!({ "line": rng.next(), "character": rng.next() }),
                1 => json!({ "line": -1, "character": "x" }),
                _ => json!({ "line": rng.below(lines as usize), "character": rng.below(90) }),
            };
            let range = json!({ "start": position(&mut rng), "end": position(&mut rng) });
            let text = PIECES[rng.below(PIECES.len())];
            let change = json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "range": range, "text": text }] });
            input.extend(frame(&notification("textDocument/didChange", change)));
            for method in
                ["textDocument/hover", "textDocument/completion", "textDocument/definition", "textDocument/formatting"]
            {
                let params = json!({ "textDocument": { "uri": uri }, "position": position(&mut rng) });
                input.extend(frame(&request(id, method, params)));
                id += 1;
            }
        }
    }
    input.extend(b"Content-Length: 5\r\n\r\n{\"a\":");
    input.extend(b"Content-Length: x\r\n\r\n");
    let mut output = Vec::new();
    let clean = ecspipe::lsp::serve(&input[..], &mut output).expect("in-memory streams");
    assert!(!clean, "no shutdown was asked");
    let messages = messages(&output);
    let responses = messages.iter().filter(|m| m.get("id").is_some_and(|id| !id.is_null())).count();
    assert_eq!(responses, id as usize, "one response per request");
    for message in &messages {
        assert_ne!(message["error"]["code"], -32603, "a handler failed: {message}");
        assert_ne!(message["method"], "window/logMessage", "a notification failed: {message}");
    }
}
