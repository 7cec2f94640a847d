//! `sotay`: the device command line; all of it lives in [`sotay_core::cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    sotay_core::cli::main()
}
