//! The account service: `/v2/client/login` (§3.4), `app_tokens`, `renew_login_token`,
//! `logout` (§3.6).

use hyper::StatusCode;
use serde_json::json;

use super::HuamiCloud;
use crate::server::{Reply, Request};

/// `ttl` / `app_ttl` of the login answer. Their units are not documented (§3.0, §11); the
/// emulator sends seconds matching the reported lifetimes (~90 d login, ~30 d app token).
const LOGIN_TTL: i64 = 90 * 86_400;
const APP_TTL: i64 = 30 * 86_400;

fn error(code: &str) -> Reply {
    Reply::json(StatusCode::OK, &json!({"error_code": code}))
}

fn pick(pairs: &[(String, String)], key: &str) -> Option<String> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

/// Form fields, falling back to the query (clients differ in where they put them).
fn param(req: &Request, key: &str) -> Option<String> {
    pick(&req.form(), key).or_else(|| req.query_param(key))
}

impl HuamiCloud {
    /// `POST /v2/client/login`.
    pub(super) fn client_login(&self, req: &Request) -> Reply {
        let form = req.form();
        let grant = pick(&form, "grant_type").unwrap_or_default();
        let code = pick(&form, "code").unwrap_or_default();
        match grant.as_str() {
            "access_token" => {}
            "request_token" => return self.xiaomi_login(&form, &code),
            _ => return error("0106"),
        }
        let Some(i) = self.tokens().take_access(&code) else {
            // Unknown or already used code (MICW: "The code is invalid or was already used").
            return error("0106");
        };
        let a = &self.accounts[i];
        if let Some(code) = a.behaviour.error_code() {
            return error(code);
        }
        let app_name = pick(&form, "app_name").unwrap_or_else(|| "com.xiaomi.hm.health".into());
        self.login_answer(i, &app_name, None)
    }

    /// `/v2/client/login` with `grant_type=request_token`: a Xiaomi OAuth code (§3.3). The
    /// code must come from this emulator's `account.xiaomi.com/oauth2/authorize`, match the
    /// posted `third_name` (the app's OAuth client), and is accepted once. A Xiaomi account
    /// no Huami account is linked to answers the captured 0117 body (huami-token issue #42).
    fn xiaomi_login(&self, form: &[(String, String)], code: &str) -> Reply {
        if self.rate_limited() {
            return Reply::empty(StatusCode::TOO_MANY_REQUESTS);
        }
        let Some((xiaomi_user, client_id)) = crate::oauth::verify(self.seed, code) else {
            return error("0106");
        };
        if pick(form, "third_name").as_deref() != crate::oauth::third_name(&client_id) {
            return error("0106");
        }
        if !self.take_oauth_code(code) {
            // Already used (MICW: "The code is invalid or was already used").
            return error("0106");
        }
        let Some(i) = self
            .accounts
            .iter()
            .position(|a| a.xiaomi_user.as_deref() == Some(xiaomi_user.as_str()))
        else {
            let (a, r) = {
                let mut t = self.tokens();
                (t.token(20), t.token(40))
            };
            return Reply::json(
                StatusCode::OK,
                &json!({"error_code": "0117", "data": {
                    "wechatPhone": null,
                    "accessToken": format!("V3_{a}"),
                    "refreshToken": format!("R3_{r}"),
                }}),
            );
        };
        let app_name = pick(form, "app_name").unwrap_or_else(|| "com.xiaomi.hm.health".into());
        self.login_answer(i, &app_name, Some(&xiaomi_user))
    }

    /// The success answer of `/v2/client/login` for account `i` (a new session).
    fn login_answer(&self, i: usize, app_name: &str, xiaomi_user: Option<&str>) -> Reply {
        let a = &self.accounts[i];
        let login = self.tokens().login(i, app_name);
        let country = a.region.country();
        let mut third = json!({
            "nickname": a.email.split('@').next().unwrap_or(""),
            "icon": "",
            "third_id": xiaomi_user.unwrap_or(&a.user_id),
            "email": a.email,
        });
        if xiaomi_user.is_some() {
            // Xiaomi logins carry the Xiaomi tokens here (SSC `pkg/zepp/auth.go`).
            let mut t = self.tokens();
            third["access_token"] = json!(format!("V3_{}", t.token(20)));
            third["refresh_token"] = json!(format!("R3_{}", t.token(40)));
            third["expires_in"] = json!(7_776_000);
        }
        // Field set of §3.4 (SSC `pkg/zepp/auth.go` and typed DTOs); `user_id` is a string.
        Reply::json(
            StatusCode::OK,
            &json!({
                "token_info": {
                    "login_token": login.login_token,
                    "app_token": login.app_token,
                    "user_id": a.user_id,
                    "ttl": LOGIN_TTL,
                    "app_ttl": APP_TTL,
                },
                "regist_info": {
                    "is_new_user": 0,
                    "regist_date": 1_500_000_000_000_i64,
                    "region": a.region.aws(),
                    "country_code": country,
                    "countryState": "",
                },
                "thirdparty_info": third,
                "result": "ok",
                "domain": {"id-dns": a.region.data_host()},
                "domains": [
                    {"host": "api-mifit.huami.com", "cnames": [a.region.data_host()]},
                ],
            }),
        )
    }

    /// `GET /v1/client/app_tokens?login_token=`.
    pub(super) fn app_tokens(&self, req: &Request) -> Reply {
        let lt = param(req, "login_token").unwrap_or_default();
        match self.tokens().app_token_for(&lt) {
            Some(app) => Reply::json(
                StatusCode::OK,
                &json!({"result": "ok", "token_info": {"app_token": app, "app_ttl": APP_TTL}}),
            ),
            None => error("0102"),
        }
    }

    /// `GET /v1/client/renew_login_token?login_token=`.
    pub(super) fn renew_login_token(&self, req: &Request) -> Reply {
        let lt = param(req, "login_token").unwrap_or_default();
        match self.tokens().renew(&lt) {
            Some(new) => Reply::json(
                StatusCode::OK,
                &json!({"result": "ok", "token_info": {"login_token": new, "ttl": LOGIN_TTL}}),
            ),
            None => error("0102"),
        }
    }

    /// `POST /v1/client/logout` (form `login_token`).
    pub(super) fn logout(&self, req: &Request) -> Reply {
        let lt = param(req, "login_token").unwrap_or_default();
        if self.tokens().end_session(&lt) {
            Reply::json(StatusCode::OK, &json!({"result": "ok"}))
        } else {
            error("0102")
        }
    }
}
