//! `ecspipe completions SHELL` and `ecspipe man`: both made from the clap
//! definition, so they list exactly the commands and options there are.

use std::io::{self, Write as _};
use std::process::ExitCode;

use clap::CommandFactory as _;

use super::report::Outcome;
use super::Cli;

/// Prints the completion script of `shell`.
pub fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "ecspipe", &mut script);
    io::stdout().write_all(&script)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the manual page, `ecspipe(1)`, in roff: one page with a section
/// per command.
pub fn man() -> Outcome {
    io::stdout().write_all(&man_page()?)?;
    Ok(ExitCode::SUCCESS)
}

/// The manual page's roff text.
pub fn man_page() -> io::Result<Vec<u8>> {
    let command = Cli::command();
    let mut page = Vec::new();
    let man = clap_mangen::Man::new(command.clone());
    man.render(&mut page)?;
    // Each command's own arguments and options, which clap_mangen's page
    // leaves out.
    writeln!(page, ".SH \"COMMAND OPTIONS\"")?;
    for sub in command.get_subcommands() {
        let name = sub.get_name();
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        writeln!(page, ".SS \"ecspipe {name}\"")?;
        writeln!(page, "{}", roff_text(&about))?;
        for arg in sub.get_arguments().filter(|arg| !arg.is_global_set() && !arg.is_hide_set()) {
            let flag = match (arg.get_long(), arg.get_short()) {
                (Some(long), _) => format!("\\-\\-{long}"),
                (None, Some(short)) => format!("\\-{short}"),
                (None, None) => arg.get_id().as_str().to_uppercase(),
            };
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            writeln!(page, ".TP\n\\fB{flag}\\fR\n{}", roff_text(&help))?;
        }
    }
    writeln!(page, ".SH \"SEE ALSO\"\nThe ecspipe book: its Tools chapter describes each command.")?;
    Ok(page)
}

/// Text safe in a roff paragraph: no line starts with a control character
/// and backslashes and hyphens are escaped.
fn roff_text(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('-', "\\-")
        .lines()
        .map(|line| if line.starts_with(['.', '\'']) { format!("\\&{line}") } else { line.to_owned() })
        .collect::<Vec<_>>()
        .join("\n")
}
