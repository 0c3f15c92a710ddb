//! The one integration-test binary: every test here drives the real
//! `ecspipe` binary (or the library, for book examples) in temporary
//! directories, and checks its outputs with the real tools.
//!
//! Regenerate golden files and error snapshots with
//! `ECSPIPE_BLESS=1 cargo test --test integration`, then review the diff.

mod support;

mod bluegreen;
mod book;
mod bookbuild;
mod cli;
mod commands;
mod cron;
mod editor;
mod errors;
mod everyday;
mod features;
mod fmt;
mod fuzz;
mod golden;
mod graph;
mod hostile;
mod integrations;
mod json;
mod layout;
mod lsp;
mod pathological;
mod platforms;
mod queue;
mod readback;
mod reference;
mod replay;
mod tools;
mod transcripts;
mod trust;
mod writes;
