//! `mikit fit login`

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use mikit_huami::{LoginMethod, LoginRequest, Session};

use crate::context::Ctx;

/// Arguments of `mikit fit login`.
#[derive(Debug, Args)]
pub struct Cmd {
    /// The e-mail address (or phone number as +CCNUMBER) of your Zepp, Zepp Life or Mi Fit
    /// account. Defaults to `huami.email` from the config file, else you are asked.
    #[arg(long, value_name = "EMAIL")]
    pub email: Option<String>,
    /// Read the password from the first line of standard input instead of asking for it.
    /// The environment variable MIKIT_HUAMI_PASSWORD is also accepted; passwords are never
    /// taken from the command line.
    #[arg(long)]
    pub password_stdin: bool,
    /// Use the legacy v1 login (a plain form) instead of the current encrypted v2 login.
    #[arg(long)]
    pub v1: bool,
    /// The app name the session is made for. The default `com.huami.webapp` does not log
    /// your phone's app out; `com.huami.midong` (Zepp) or `com.xiaomi.hm.health` (Zepp Life)
    /// would.
    #[arg(long, value_name = "NAME")]
    pub app_name: Option<String>,
    /// Use this regional data host (e.g. `api-mifit-de2.zepp.com`) instead of the one the
    /// login answer names.
    #[arg(long, value_name = "HOST")]
    pub data_host: Option<String>,
    /// Sign in without a password: read an app token copied from the Zepp / Mi Fit web app
    /// from the first line of standard input, either the `apptoken` cookie's value (then give
    /// `--user-id`) or the whole `hm-user-login-info` cookie. The token is checked with one
    /// request and stored like any session; it cannot be renewed, so paste a new one when it
    /// expires.
    #[arg(long, conflicts_with_all = ["password_stdin", "v1", "email", "xiaomi"])]
    pub token_stdin: bool,
    /// Sign in with your Xiaomi account (for Zepp / Zepp Life accounts created with a Mi
    /// account). With a Xiaomi session from `mikit cloud login` this needs nothing else;
    /// otherwise mikit prints the Xiaomi sign-in address: open it, sign in, and paste the
    /// address your browser ends on (or just its `code=` value).
    #[arg(long, conflicts_with_all = ["password_stdin", "v1", "email"])]
    pub xiaomi: bool,
    /// With `--xiaomi`: the app whose Xiaomi sign-in your account uses, `zepp-life` (Mi Fit,
    /// the default) or `zepp`.
    #[arg(long, value_name = "APP", requires = "xiaomi", value_parser = ["zepp-life", "zepp"])]
    pub xiaomi_app: Option<String>,
    /// The numeric user id that goes with a bare `--token-stdin` token (the web app's
    /// `userid` cookie).
    #[arg(long, value_name = "ID", requires = "token_stdin")]
    pub user_id: Option<String>,
}

/// Run `mikit fit login`.
pub async fn run(ctx: &Ctx, cmd: Cmd) -> anyhow::Result<ExitCode> {
    if cmd.token_stdin {
        return token_login(ctx, &cmd).await;
    }
    if cmd.xiaomi {
        return xiaomi_login(ctx, &cmd).await;
    }
    let email = match cmd.email.clone().or_else(|| ctx.config.huami.email.clone()) {
        Some(e) => e,
        None => crate::prompt::line(
            "Huami account e-mail: ",
            "no e-mail given: pass --email or set huami.email in the config file",
        )?,
    };
    let password = crate::prompt::password(
        cmd.password_stdin,
        "MIKIT_HUAMI_PASSWORD",
        &format!("Password for {email}: "),
    )?;
    let mut req = LoginRequest::new(email.clone(), password);
    if cmd.v1 {
        req = req.method(LoginMethod::V1);
    }
    if let Some(app) = cmd
        .app_name
        .clone()
        .or_else(|| ctx.config.huami.app_name.clone())
    {
        req = req.app_name(app);
    }
    if let Some(host) = cmd
        .data_host
        .clone()
        .or_else(|| ctx.config.huami.data_host.clone())
    {
        req = req.data_host(host);
    }
    let session = login_and_save(ctx, &req).await?;
    report(ctx, &session)?;
    Ok(ExitCode::SUCCESS)
}

/// `--token-stdin`: a pasted app token, checked and saved.
async fn token_login(ctx: &Ctx, cmd: &Cmd) -> anyhow::Result<ExitCode> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the token from standard input")?;
    let mut pasted = mikit_huami::signin::parse_pasted_token(&line, cmd.user_id.as_deref())?;
    pasted.data_host = cmd
        .data_host
        .clone()
        .or_else(|| ctx.config.huami.data_host.clone());
    let session = mikit_huami::session_from_token(&ctx.http()?, &pasted)
        .await
        .context("checking the pasted token with the Huami cloud")?;
    save(ctx, &session)?;
    report(ctx, &session)?;
    Ok(ExitCode::SUCCESS)
}

/// `--xiaomi`: an OAuth code from the stored Xiaomi session, else pasted by the user, exchanged
/// at `/v2/client/login` (reference §3.3, §3.4).
async fn xiaomi_login(ctx: &Ctx, cmd: &Cmd) -> anyhow::Result<ExitCode> {
    use mikit_huami::{XiaomiApp, XiaomiLogin};
    let app = match cmd.xiaomi_app.as_deref() {
        Some("zepp") => XiaomiApp::Zepp,
        _ => XiaomiApp::ZeppLife,
    };
    let http = ctx.http()?;
    let stored =
        crate::session::load::<mikit_micloud::Session>(&crate::command::cloud::session_path(ctx))?;
    let code = match stored {
        Some(mi) => mikit_huami::signin::xiaomi_code_from_session(
            &http,
            app,
            &mi.user_id,
            &mi.pass_token,
        )
        .await
        .context(
            "getting a sign-in code with the stored Xiaomi session (`mikit cloud login` renews it)",
        )?,
        None => {
            crate::output::stderr_line(&format!(
                "Open this address, sign in with your Xiaomi account, then paste the address your browser ends on (or its code=… value):\n{}",
                app.authorize_url()
            ));
            // Asked on a terminal; else the first line of standard input.
            let pasted = if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                crate::prompt::line(
                    "Address or code: ",
                    "no code was given: paste the address the Xiaomi sign-in ended on",
                )?
            } else {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .context("reading the code from standard input")?;
                line
            };
            mikit_huami::parse_pasted_code(&pasted)?
        }
    };
    let opts = XiaomiLogin {
        app,
        data_host: cmd
            .data_host
            .clone()
            .or_else(|| ctx.config.huami.data_host.clone()),
        ..XiaomiLogin::default()
    };
    let session = mikit_huami::login_xiaomi(&http, &code, &opts)
        .await
        .context("signing in to the Huami cloud with the Xiaomi account")?;
    save(ctx, &session)?;
    report(ctx, &session)?;
    Ok(ExitCode::SUCCESS)
}

/// Say who is logged in and where the session went.
fn report(ctx: &Ctx, session: &Session) -> anyhow::Result<()> {
    if ctx.out.json {
        ctx.out.json_line(&serde_json::json!({
            "user_id": session.user_id, "email": session.email, "data_host": session.data_host,
            "session_file": ctx.huami_session_path(),
        }))?;
    } else {
        let who = if session.email.is_empty() {
            format!("user {}", session.user_id)
        } else {
            format!("{} (user {})", session.email, session.user_id)
        };
        ctx.out.line(&format!(
            "Logged in as {who} with data host {}. Session saved to {}.",
            session.data_host,
            ctx.huami_session_path().display()
        ))?;
        ctx.out
            .line("Next: `mikit fit sync` downloads your history.")?;
    }
    Ok(())
}

/// Log in, save the session (0600) and register the account in the database.
pub async fn login_and_save(ctx: &Ctx, req: &LoginRequest) -> anyhow::Result<Session> {
    let http = ctx.http()?;
    let session = mikit_huami::login(&http, req)
        .await
        .context("logging in to the Huami cloud")?;
    save(ctx, &session)?;
    Ok(session)
}

/// Save the session (0600) and register the account in the database.
fn save(ctx: &Ctx, session: &Session) -> anyhow::Result<()> {
    crate::session::save(&ctx.huami_session_path(), session)?;
    let mut store = ctx.open_store()?;
    let email = Some(session.email.as_str()).filter(|e| !e.is_empty());
    store.upsert_account("huami", &session.user_id, email)?;
    Ok(())
}
