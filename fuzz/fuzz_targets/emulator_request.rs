//! The emulator's request handlers, in process (no socket): arbitrary method, host, path,
//! query, headers and body, routed exactly as the listener routes. Requests can carry valid
//! credentials, so the handlers behind authentication see fuzzed input too: a Huami app
//! token (obtained once by logging in through the handlers with the client's own sans-IO
//! code), and for the Mi cloud API a valid RC4 signature over the fuzzed `data` (the reply
//! is then decoded as the client would, and must decrypt).

#![no_main]

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use mikit_core::Secret;
use mikit_emulator::in_process::InProcess;
use mikit_emulator::{EmulatorConfig, HuamiAccount, HuamiOptions, Reply};
use mikit_micloud::sign::{Nonce, sign_rc4, unix_minute};

const HOSTS: [&str; 12] = [
    "api-user.huami.com",
    "api-user.zepp.com",
    "account.huami.com",
    "api-mifit-de2.huami.com",
    "api-mifit.zepp.com",
    "miot-spec.org",
    "spec.miot-spec.com",
    "account.xiaomi.com",
    "sts.api.io.mi.com",
    "api.io.mi.com",
    "de.api.io.mi.com",
    "example.org",
];

const PATHS: [&str; 32] = [
    "/registrations/fuzz%40example.org/tokens",
    "/v2/registrations/tokens",
    "/v2/client/login",
    "/v1/client/logout",
    "/v1/client/app_tokens",
    "/v1/client/renew_login_token",
    "/v1/data/band_data.json",
    "/users/1/devices",
    "/v1/sport/run/history.json",
    "/v1/sport/run/detail.json",
    "/users/1/events",
    "/v2/users/me/events",
    "/miot-spec-v2/instances",
    "/miot-spec-v2/instance",
    "/miot-spec-v2/spec/devices",
    "/miot-spec-v2/spec/device",
    "/instance/v2/multiLanguage",
    "/pass/serviceLogin",
    "/pass/serviceLoginAuth2",
    "/identity/list",
    "/identity/auth/verifyPhone",
    "/identity/result/check",
    "/longPolling/loginUrl",
    "/sts",
    "/app/home/device_list",
    "/app/v2/homeroom/gethome",
    "/app/miotspec/prop/get",
    "/app/miotspec/prop/set",
    "/app/miotspec/action",
    "/app/user/get_user_device_data",
    "/app/v2/user/statistics",
    "/app/service/getappconfig",
];

const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    host: u8,
    custom_host: &'a str,
    method: u8,
    path: u8,
    custom_path: &'a str,
    query: &'a str,
    /// Add valid credentials (app token; Mi cloud cookies and a signature).
    auth: bool,
    headers: Vec<(&'a str, &'a str)>,
    body: &'a [u8],
}

struct State {
    emu: InProcess,
    huami_app_token: String,
    mi_user: String,
    mi_token: String,
    ssecurity: Secret,
}

fn header<'r>(reply: &'r Reply, name: &str) -> Option<&'r str> {
    reply
        .headers
        .iter()
        .find(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.to_str().ok())
}

fn state() -> &'static State {
    static STATE: OnceLock<State> = OnceLock::new();
    STATE.get_or_init(|| {
        let cfg = EmulatorConfig {
            seed: 7,
            days: 30,
            today: Some(jiff::civil::date(2026, 2, 6)),
            devices: 4,
            huami: HuamiOptions {
                accounts: vec![HuamiAccount::new("fuzz@example.org", "fuzz-password")],
                ..HuamiOptions::default()
            },
            ..EmulatorConfig::default()
        };
        let emu = InProcess::new(&cfg).expect("the emulator builds");
        let form = "application/x-www-form-urlencoded";
        // Huami v1 login, then the token exchange, with the client's own parsers.
        let password = Secret::from("fuzz-password");
        let reply = emu.handle(
            "POST",
            "/api-user.huami.com/registrations/fuzz%40example.org/tokens",
            &[("content-type", form)],
            mikit_huami::credentials::v1_form(&password).as_bytes(),
        );
        let grant = mikit_huami::credentials::parse_redirect(
            reply.status.as_u16(),
            header(&reply, "location"),
            &reply.body,
        )
        .expect("the fuzz account logs in");
        let exchange = mikit_huami::credentials::urlencode(&[
            ("grant_type", "access_token"),
            ("code", grant.access.expose()),
            ("app_name", "com.xiaomi.hm.health"),
        ]);
        let reply = emu.handle(
            "POST",
            "/account.huami.com/v2/client/login",
            &[("content-type", form)],
            exchange.as_bytes(),
        );
        let tokens = mikit_huami::account::parse_client_login(reply.status.as_u16(), &reply.body)
            .expect("the token exchange succeeds");
        // Mi cloud: a service token with a known ssecurity (vectors.json set 2).
        let ssecurity = "MDEyMzQ1Njc4OWFiY2RlZg==";
        let (mi_user, mi_token) = emu
            .micloud()
            .register_session("xiaomi", ssecurity)
            .expect("the xiaomi demo account exists");
        State {
            emu,
            huami_app_token: tokens.app_token.expose().to_owned(),
            mi_user,
            mi_token,
            ssecurity: Secret::from(ssecurity),
        }
    })
}

fuzz_target!(|input: Input<'_>| {
    let st = state();
    let host = HOSTS
        .get(usize::from(input.host))
        .copied()
        .unwrap_or(input.custom_host);
    let method = METHODS[usize::from(input.method) % METHODS.len()];
    let path = match PATHS.get(usize::from(input.path)) {
        Some(p) => (*p).to_owned(),
        None => format!("/{}", input.custom_path),
    };
    let mut target = format!("/{host}{path}");
    let mut headers = input.headers.clone();
    let mut body = input.body.to_vec();
    let mut key = None;
    let cookie;
    if input.auth {
        headers.push(("apptoken", &st.huami_app_token));
        cookie = format!("userId={}; serviceToken={}", st.mi_user, st.mi_token);
        headers.push(("cookie", &cookie));
        if let Some(api_path) = path.strip_prefix("/app") {
            // A fresh nonce per request (the emulator may reject replays).
            static COUNTER: AtomicU64 = AtomicU64::new(0);
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let minute = u32::try_from(unix_minute(SystemTime::now())).unwrap_or(u32::MAX);
            let nonce = Nonce::from_parts(n.to_be_bytes(), minute);
            let data = String::from_utf8_lossy(input.body);
            let signed = sign_rc4(method, api_path, &data, &st.ssecurity, &nonce, false)
                .expect("a valid nonce signs");
            let encoded = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(signed.pairs())
                .finish();
            if method == "GET" {
                target.push('?');
                target.push_str(&encoded);
            } else {
                body = encoded.into_bytes();
                headers.push(("content-type", "application/x-www-form-urlencoded"));
            }
            key = Some(signed.signed_nonce);
        }
    }
    if key.is_none() && !input.query.is_empty() {
        target.push('?');
        target.push_str(input.query);
    }
    let reply = st.emu.handle(method, &target, &headers, &body);
    // What the clients do with the answer must not panic either.
    let _ = mikit_huami::envelope::parse_envelope(&reply.body);
    if let Some(sn) = &key {
        let decoded = mikit_micloud::envelope::decode_response(
            &path,
            reply.status.as_u16(),
            &reply.body,
            Some(sn),
        );
        if let Err(mikit_micloud::Error::Decode { reason, .. }) = &decoded {
            panic!("a reply to a signed request does not decode: {reason}");
        }
    }
});
