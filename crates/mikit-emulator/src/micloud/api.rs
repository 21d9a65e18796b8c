//! The API hosts (`<region>.api.io.mi.com/app/...`): authentication, signature
//! verification, reply encryption and routing.
//!
//! Server-side verification follows reference §3.1 with the functions of
//! [`mikit_micloud::sign`]: the cookies `userId` + `serviceToken` name the session (unknown
//! or expired → HTTP 401, or `{"code":3,"message":"auth err"}` when configured); the `_nonce`
//! minute must be within the window; a nonce already used by an accepted request is refused
//! (replay, on by default); the signature is checked for the scheme the request
//! uses (`rc4_hash__` present → RC4); replies to RC4 requests are RC4-encrypted with the
//! request's signed nonce, errors are plaintext JSON (reference §9). gzip replies
//! (`miot-accept-encoding: GZIP`) are not produced: without the `miot-content-encoding`
//! header clients read the plain body, as they do for servers that ignore the request.

use std::time::SystemTime;

use hyper::{Method, StatusCode};
use mikit_core::Secret;
use mikit_micloud::sign::{
    FormFields as _, Nonce, check_nonce_fresh, encrypt_reply, unix_minute, verify_request,
};
use serde_json::{Value, json};

use super::accounts::{AuthReply, UnknownPathReply};
use super::{MiCloud, data, miot, records};
use crate::server::{Reply, Request};

/// What a handler answers.
pub(crate) enum Answer {
    /// `{"code":0,"message":"ok","result":…}`.
    Ok(Value),
    /// A plaintext error envelope `{"code","message"}`.
    Error(i64, String),
}

/// Who is calling (after authentication).
pub(crate) struct Caller {
    pub account: usize,
    pub region: &'static str,
}

/// The reply to an unknown or expired service token.
pub(crate) fn auth_error(cloud: &MiCloud) -> Reply {
    match cloud.options.auth_reply {
        AuthReply::Status401 => Reply::empty(StatusCode::UNAUTHORIZED),
        AuthReply::Code3 => Reply::json(StatusCode::OK, &json!({"code": 3, "message": "auth err"})),
    }
}

/// A plaintext error envelope. The signature error's text is what clients report
/// ("invalid signature"); its numeric code is not public, the emulator uses -1 (§3.1).
fn error_reply(code: i64, message: &str) -> Reply {
    Reply::json(StatusCode::OK, &json!({"code": code, "message": message}))
}

/// Serve one API request for `region`.
pub(crate) fn handle(cloud: &MiCloud, region: &'static str, req: &Request) -> Reply {
    let Some(path) = req.path.strip_prefix("/app").filter(|p| p.starts_with('/')) else {
        return Reply::not_found();
    };
    // The app fetches its configuration unsigned (`GET …?data=<json>`).
    if path == "/service/getappconfig" {
        let data = req
            .query_param("data")
            .and_then(|d| serde_json::from_str(&d).ok())
            .unwrap_or(Value::Null);
        return plain_answer(data::app_config(&data));
    }
    // 1. The session.
    let (Some(user), Some(token)) = (req.cookie("userId"), req.cookie("serviceToken")) else {
        return auth_error(cloud);
    };
    let session = {
        let mut st = cloud.lock();
        let found = st.service_tokens.get(&token).cloned();
        match found {
            Some(s) if s.issued.elapsed().unwrap_or_default() > cloud.options.service_token_ttl => {
                st.service_tokens.remove(&token);
                None
            }
            other => other,
        }
    };
    let Some(session) = session.filter(|s| cloud.accounts[s.account].user_id == user) else {
        return auth_error(cloud);
    };
    // 2. The nonce.
    let form: Vec<(String, String)> = if req.method == Method::GET {
        req.query_pairs()
    } else {
        req.form()
    };
    let nonce = match form.field("_nonce").map(Nonce::from_b64) {
        Some(Ok(n)) => n,
        _ => return error_reply(-1, "invalid signature"),
    };
    let now_minute = unix_minute(SystemTime::now());
    let window = cloud.options.nonce_window_minutes;
    if check_nonce_fresh(&nonce, now_minute, window).is_err() {
        return error_reply(-1, "invalid signature: stale nonce");
    }
    // 3. The signature (and, for RC4, the decryption).
    let method = req.method.as_str();
    let verified = match verify_request(
        method,
        path,
        &form,
        &Secret::from(session.ssecurity.as_str()),
    ) {
        Ok(v) => v,
        Err(_) => return error_reply(-1, "invalid signature"),
    };
    // 4. Replay: only a correctly signed request uses its nonce up, so nobody without the
    // session's ssecurity can burn nonces or fill the ledger. The reference documents no body
    // for a replay (§3.1, §9: "unknown"); the closest documented answer is the signature
    // error, `{"code":-1,"message":"invalid signature"}`, which is what clients already report.
    if cloud.options.reject_replayed_nonces
        && !cloud
            .lock()
            .nonces
            .admit(nonce.as_bytes(), nonce.minute(), now_minute, window)
    {
        tracing::debug!("refused a replayed nonce");
        return error_reply(-1, "invalid signature");
    }
    let data: Value = if verified.data.trim().is_empty() {
        Value::Null
    } else {
        match serde_json::from_str(&verified.data) {
            Ok(v) => v,
            // [inferred] the real text for undecodable `data` is not public.
            Err(_) => return error_reply(-1, "invalid data"),
        }
    };
    let caller = Caller {
        account: session.account,
        region,
    };
    let answer = match route(cloud, &caller, path, &data) {
        Some(a) => a,
        None => {
            let body = json!({"code": -1, "message": format!("unknown api path {path}")});
            return match cloud.options.unknown_path {
                UnknownPathReply::CodeMinus1 => Reply::json(StatusCode::OK, &body),
                UnknownPathReply::Status404 => Reply::json(StatusCode::NOT_FOUND, &body),
            };
        }
    };
    match answer {
        Answer::Ok(result) => {
            let plain = json!({"code": 0, "message": "ok", "result": result}).to_string();
            Reply::json_bytes(StatusCode::OK, encrypt_reply(&verified, &plain))
        }
        Answer::Error(code, message) => error_reply(code, &message),
    }
}

fn plain_answer(answer: Answer) -> Reply {
    match answer {
        Answer::Ok(result) => Reply::json(
            StatusCode::OK,
            &json!({"code": 0, "message": "ok", "result": result}),
        ),
        Answer::Error(code, message) => error_reply(code, &message),
    }
}

/// The handler of `path` (without `/app`), `None` for an unknown path.
fn route(cloud: &MiCloud, caller: &Caller, path: &str, data: &Value) -> Option<Answer> {
    let a = match path {
        "/home/device_list" => records::device_list(cloud, caller, data),
        "/home/device_list_page" | "/v2/home/device_list_page" => {
            records::device_list_page(cloud, caller, data)
        }
        "/v2/homeroom/gethome" | "/homeroom/gethome" | "/v2/homeroom/gethome_merged" => {
            records::homes(cloud, caller)
        }
        "/v2/home/home_device_list" | "/home/home_device_list" => {
            records::home_device_list(cloud, caller, data)
        }
        "/miotspec/prop/get" => miot::prop_get(cloud, caller, data),
        "/miotspec/prop/set" => miot::prop_set(cloud, caller, data),
        "/miotspec/action" => miot::action(cloud, caller, data),
        "/v2/device/blt_get_beaconkey" => data::beacon_key(cloud, caller, data),
        "/user/get_user_device_data" => data::device_data(cloud, caller, data),
        "/v2/user/statistics" => data::statistics(cloud, caller, data),
        "/v2/miotspec/devicelist" => records::miotspec_devicelist(cloud, caller),
        "/version/check_gray" => data::check_gray(data),
        "/version/online_version" => data::online_version(data),
        "/v2/device/multi_check_device_version" => {
            data::multi_check_device_version(cloud, caller, data)
        }
        "/plugin/update_plugin" => data::update_plugin(data),
        "/v2/plugin/fetch_plugin" => data::fetch_plugin(data),
        "/v2/message/v2/check_new_msg" => Answer::Ok(json!({})),
        other => {
            let did = other.strip_prefix("/home/rpc/")?;
            miot::rpc(cloud, caller, did, data)
        }
    };
    Some(a)
}
