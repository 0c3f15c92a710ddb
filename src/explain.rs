//! `ecspipe explain E0xx`: the long explanation of an error code.
//!
//! The text is the book's error index (`book/src/errors.md`), embedded at
//! build time: one source for the command and the book, so they cannot
//! drift apart.

use crate::diagnostic::Code;

/// The error index, as the book has it.
const INDEX: &str = include_str!("../book/src/errors.md");

/// The section of the error index about `code`: from its `## E0xx:`
/// heading to the next heading.
pub fn explain(code: Code) -> Option<&'static str> {
    let heading = format!("## {}:", code.as_str());
    let start = INDEX.find(&heading)?;
    let rest = &INDEX[start..];
    let end = rest[heading.len()..].find("\n## ").map_or(rest.len(), |i| i + heading.len() + 1);
    Some(rest[..end].trim_end())
}

/// The code named by `text` (`E008`, `e008` or `8`).
pub fn parse_code(text: &str) -> Option<Code> {
    let digits = text.trim().trim_start_matches(['E', 'e']);
    let number: u32 = digits.parse().ok()?;
    Code::ALL.into_iter().find(|code| code.as_str()[1..].parse::<u32>().ok() == Some(number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_an_explanation_that_starts_with_its_heading() {
        for code in Code::ALL {
            let text = explain(code).unwrap_or_else(|| panic!("{code} is not explained"));
            assert!(text.starts_with(&format!("## {}: {}", code.as_str(), code.title())), "{text}");
            assert!(!text[3..].contains("\n## "), "{code} runs into the next section");
        }
    }

    #[test]
    fn codes_parse_in_several_spellings() {
        assert_eq!(parse_code("E008"), Some(Code::FargateSize));
        assert_eq!(parse_code("e8"), Some(Code::FargateSize));
        assert_eq!(parse_code("8"), Some(Code::FargateSize));
        assert_eq!(parse_code("E999"), None);
        assert_eq!(parse_code("x"), None);
    }
}
