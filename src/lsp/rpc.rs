//! JSON-RPC messages over a byte stream, framed as the Language Server
//! Protocol frames them: `Content-Length: N` headers, a blank line, then
//! N bytes of JSON.

use std::io::{self, BufRead, Read, Write};

use serde_json::Value;

/// The largest message body read (64 MiB): a longer one is refused before
/// it is allocated.
const MAX_BODY: usize = 64 << 20;

/// One frame read from the client.
#[derive(Debug)]
pub enum Frame {
    /// A body that is a JSON value.
    Message(Value),
    /// A frame whose headers or body could not be read as JSON: the
    /// server answers with a parse error and reads on.
    Malformed(String),
}

/// Reads the next frame; `None` at the end of the stream.
///
/// # Errors
///
/// The stream could not be read.
pub fn read<R: BufRead>(input: &mut R) -> io::Result<Option<Frame>> {
    let mut length: Option<usize> = None;
    let mut invalid = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        // A header line is short; a stream of bytes without a line break
        // is cut at 8 KiB rather than read whole.
        let read = Read::take(&mut *input, 8192).read_until(b'\n', &mut line)?;
        if read == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        match text.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("content-length") => match value.trim().parse::<usize>() {
                Ok(n) if n <= MAX_BODY => length = Some(n),
                Ok(n) => invalid = Some(format!("a message of {n} bytes is longer than {MAX_BODY}")),
                Err(_) => invalid = Some(format!("Content-Length `{}` is not a number", value.trim())),
            },
            // Content-Type and headers yet to come are not needed.
            Some(_) => {}
            None => invalid = Some(format!("`{text}` is not a header")),
        }
    }
    if let Some(message) = invalid {
        return Ok(Some(Frame::Malformed(message)));
    }
    let Some(length) = length else {
        return Ok(Some(Frame::Malformed(String::from("a message without Content-Length"))));
    };
    let mut body = vec![0; length];
    if let Err(error) = input.read_exact(&mut body) {
        return if error.kind() == io::ErrorKind::UnexpectedEof { Ok(None) } else { Err(error) };
    }
    Ok(Some(match serde_json::from_slice(&body) {
        Ok(value) => Frame::Message(value),
        Err(error) => Frame::Malformed(format!("the message is not JSON: {error}")),
    }))
}

/// Writes one message, framed.
///
/// # Errors
///
/// The stream could not be written.
pub fn write(output: &mut impl Write, message: &Value) -> io::Result<()> {
    let body = message.to_string();
    write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    output.flush()
}
