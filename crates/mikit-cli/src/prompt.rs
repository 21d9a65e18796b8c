//! Asking the user: passwords (never echoed, never from argv) and plain lines.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context as _, bail};
use mikit_core::Secret;

/// The password from stdin, the environment, or a no-echo prompt, in that order.
pub fn password(from_stdin: bool, env: &str, prompt: &str) -> anyhow::Result<Secret> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        let pw = line.trim_end_matches(['\r', '\n']).to_owned();
        if pw.is_empty() {
            bail!("standard input had no password on its first line");
        }
        return Ok(Secret::new(pw));
    }
    if let Ok(pw) = std::env::var(env)
        && !pw.is_empty()
    {
        return Ok(Secret::new(pw));
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "no password given: pass --password-stdin, set {env}, or run in a terminal to be asked"
        );
    }
    let pw = rpassword::prompt_password(prompt).context("reading the password")?;
    Ok(Secret::new(pw))
}

/// Ask for one line on the terminal (echoed); `missing` is the error when there is no terminal.
pub fn line(prompt: &str, missing: &str) -> anyhow::Result<String> {
    use std::io::Write;
    if !std::io::stdin().is_terminal() {
        bail!("{missing}");
    }
    let mut err = std::io::stderr().lock();
    write!(err, "{}", crate::output::escape(prompt))?;
    err.flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let line = line.trim().to_owned();
    if line.is_empty() {
        bail!("nothing entered");
    }
    Ok(line)
}
