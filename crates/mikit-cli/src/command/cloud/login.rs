//! `mikit cloud login`

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, ValueEnum};
use mikit_micloud::login::TwoFactorMethod;
use mikit_micloud::{LoginFlow, LoginStep, Session};

use super::session_path;
use crate::context::Ctx;

/// Where a two-factor code should be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// By SMS to the account's phone.
    Phone,
    /// By e-mail to the account's address.
    Email,
}

/// Arguments of `mikit cloud login`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// Your Xiaomi account: e-mail, phone number or numeric id. Defaults to `cloud.user` from
    /// the config file, else you are asked.
    #[arg(long, value_name = "USER", conflicts_with = "qr")]
    pub user: Option<String>,
    /// Log in by scanning a QR code with the Mi Home app instead of a password (never asks
    /// for a captcha or a two-factor code). The login URL is printed; mikit waits until you
    /// confirm on the phone.
    #[arg(long)]
    pub qr: bool,
    /// Read the password from the first line of standard input instead of asking for it.
    /// The environment variable MIKIT_MI_PASSWORD is also accepted; passwords are never
    /// taken from the command line.
    #[arg(long)]
    pub password_stdin: bool,
    /// Read captcha answers and two-factor codes from the next lines of standard input (after
    /// the password line with --password-stdin). MIKIT_MI_CAPTCHA and MIKIT_MI_2FA_CODE are
    /// also accepted. Without either you are asked on the terminal.
    #[arg(long)]
    pub code_stdin: bool,
    /// Where to send a two-factor code when the account offers several ways.
    #[arg(long, value_enum, value_name = "METHOD")]
    pub two_factor: Option<Method>,
}

/// Run `mikit cloud login`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    let mut flow = LoginFlow::with_http(ctx.http()?);
    let (session, user) = if cmd.qr {
        (qr_login(ctx, &mut flow).await?, None)
    } else {
        let user = match cmd.user.clone().or_else(|| ctx.config.cloud.user.clone()) {
            Some(u) => u,
            None => crate::prompt::line(
                "Xiaomi account (e-mail, phone or id): ",
                "no account given: pass --user or set cloud.user in the config file",
            )?,
        };
        let password = crate::prompt::password(
            cmd.password_stdin,
            "MIKIT_MI_PASSWORD",
            &format!("Password for {user}: "),
        )?;
        let step = flow
            .password(&user, &password)
            .await
            .context("logging in to the Xiaomi account")?;
        (drive(ctx, &cmd, &mut flow, step).await?, Some(user))
    };
    let path = session_path(ctx);
    crate::session::save(&path, &session)?;
    let user_id = session.user_id.expose().clone();
    let mut store = ctx.open_store()?;
    store.upsert_account("xiaomi", &user_id, user.as_deref())?;
    if ctx.out.json {
        ctx.out.json_line(&serde_json::json!({
            "user_id": user_id, "user": user, "session_file": path,
        }))?;
    } else {
        ctx.out.line(&format!(
            "Logged in to the Xiaomi account {user_id}. Session saved to {}.",
            path.display()
        ))?;
        ctx.out
            .line("Next: `mikit cloud devices` lists your devices.")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Answer captcha and two-factor steps until the login is done.
async fn drive(
    ctx: &Ctx,
    cmd: &Cmd,
    flow: &mut LoginFlow,
    mut step: LoginStep,
) -> anyhow::Result<Session> {
    // Each kind of question is answered a bounded number of times (a wrong answer repeats it).
    for _ in 0..6 {
        step = match step {
            LoginStep::Done(session) => return Ok(session),
            LoginStep::NeedCaptcha { url } => {
                let image = flow
                    .captcha_image()
                    .await
                    .context("downloading the captcha image")?;
                let ext = match image.content_type.as_deref() {
                    Some(t) if t.contains("svg") => "svg",
                    Some(t) if t.contains("png") => "png",
                    _ => "jpg",
                };
                let file = ctx.paths.state.join(format!("xiaomi-captcha.{ext}"));
                mikit_core::paths::write_private(&file, &image.bytes)?;
                crate::output::stderr_line(&format!(
                    "The Xiaomi account asks for a captcha: open {} (or {url}) and type the characters.",
                    file.display()
                ));
                let answer = answer(cmd.code_stdin, "MIKIT_MI_CAPTCHA", "Captcha: ")?;
                flow.answer_captcha(&answer)
                    .await
                    .context("sending the captcha answer")?
            }
            LoginStep::NeedTwoFactor { methods } => {
                let wanted = cmd.two_factor.map(|m| match m {
                    Method::Phone => TwoFactorMethod::Phone,
                    Method::Email => TwoFactorMethod::Email,
                });
                let method = match wanted {
                    Some(m) if methods.contains(&m) => m,
                    Some(m) => {
                        bail!("the account does not offer a code by {m:?}; it offers {methods:?}")
                    }
                    None => *methods
                        .first()
                        .context("the account offers no two-factor method")?,
                };
                flow.send_ticket(method)
                    .await
                    .context("asking the Xiaomi account to send a code")?
            }
            LoginStep::NeedTicket {
                method,
                masked_target,
            } => {
                let place = masked_target.unwrap_or_else(|| format!("your {method:?}"));
                crate::output::stderr_line(&format!(
                    "Two-factor verification: a code was sent to {place}."
                ));
                let code = answer(cmd.code_stdin, "MIKIT_MI_2FA_CODE", "Code: ")?;
                flow.verify_ticket(&code)
                    .await
                    .context("checking the two-factor code")?
            }
        };
    }
    match step {
        LoginStep::Done(session) => Ok(session),
        _ => bail!("the login asked too many questions; start again"),
    }
}

/// The QR login: print the URL, wait for the phone.
async fn qr_login(ctx: &Ctx, flow: &mut LoginFlow) -> anyhow::Result<Session> {
    let qr = flow.qr_start().await.context("starting the QR login")?;
    if ctx.out.json {
        // One line on stderr keeps stdout for the final result.
        crate::output::stderr_line(
            &serde_json::json!({"login_url": qr.login_url, "qr_image": qr.image_url, "timeout_secs": qr.timeout_secs})
                .to_string(),
        );
    } else {
        crate::output::stderr_line(&format!(
            "Open this link on the phone where the Mi Home app is logged in (or scan the QR code at {}) and confirm:\n  {}\nWaiting up to {} s…",
            qr.image_url, qr.login_url, qr.timeout_secs
        ));
    }
    flow.qr_wait(&qr)
        .await
        .context("waiting for the QR code to be confirmed")
}

/// The login needs a captcha answer or a two-factor code and has no way to get one (an
/// authentication problem: exit code 3, as docs/cloud.md says).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NoAnswer(String);

/// A captcha answer or code: environment, standard input, or a terminal prompt.
fn answer(from_stdin: bool, env: &str, prompt: &str) -> anyhow::Result<String> {
    if let Ok(v) = std::env::var(env)
        && !v.trim().is_empty()
    {
        return Ok(v.trim().to_owned());
    }
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading from standard input")?;
        let line = line.trim().to_owned();
        if line.is_empty() {
            return Err(NoAnswer(format!(
                "standard input has no line left for the {}",
                prompt.trim_end_matches([':', ' ']).to_lowercase()
            ))
            .into());
        }
        return Ok(line);
    }
    if !std::io::stdin().is_terminal() {
        return Err(NoAnswer(format!(
            "the login needs an answer ({}) but there is no terminal: pass --code-stdin or set {env}",
            prompt.trim_end_matches([':', ' '])
        ))
        .into());
    }
    crate::prompt::line(prompt, "nothing entered")
}
