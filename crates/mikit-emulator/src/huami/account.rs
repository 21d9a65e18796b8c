//! Accounts and the token lifecycle (§3.0): access codes, login sessions, app tokens.

use std::collections::{BTreeMap, HashMap};

use mikit_core::Secret;

use crate::config::{HuamiAccount, HuamiRegion};
use crate::rng::{self, Rng};

/// How `/v2/client/login` treats an account (special emulator accounts trigger §3.4 codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Behaviour {
    Normal,
    /// `0113` wrong region.
    WrongRegion,
    /// `0115` account disabled.
    Disabled,
    /// `0121` account frozen.
    Frozen,
    /// `0117` account not registered with the fitness service.
    Unregistered,
}

impl Behaviour {
    pub fn error_code(self) -> Option<&'static str> {
        match self {
            Behaviour::Normal => None,
            Behaviour::WrongRegion => Some("0113"),
            Behaviour::Disabled => Some("0115"),
            Behaviour::Frozen => Some("0121"),
            Behaviour::Unregistered => Some("0117"),
        }
    }
}

/// One registered account.
#[derive(Debug)]
pub(crate) struct Account {
    /// Key in `info()["accounts"]`.
    pub key: String,
    pub email: String,
    pub password: Secret<String>,
    pub user_id: String,
    pub region: HuamiRegion,
    pub behaviour: Behaviour,
    /// Salt of this account's generated data.
    pub salt: u64,
    /// The Xiaomi user id this account signs in with (reference §3.3); such an account has
    /// no password of its own (empty: every credential login fails).
    pub xiaomi_user: Option<String>,
}

/// The password of the built-in demo accounts (they are public test accounts).
pub(crate) const DEMO_PASSWORD: &str = "mikit-demo";

/// The numeric user id (as a string, §3.4) of the account with `salt`.
pub(crate) fn user_id(seed: u64, salt: u64) -> String {
    (1_000_000_000 + rng::mix(seed ^ salt) % 8_999_999_999).to_string()
}

/// Build the account list: the demo accounts, then the configured extra ones.
pub(crate) fn accounts(seed: u64, extra: &[HuamiAccount]) -> Result<Vec<Account>, String> {
    let builtin = [
        ("huami", "demo@mikit.example", Behaviour::Normal),
        (
            "huami_wrong_region",
            "wrong-region@mikit.example",
            Behaviour::WrongRegion,
        ),
        (
            "huami_disabled",
            "disabled@mikit.example",
            Behaviour::Disabled,
        ),
        ("huami_frozen", "frozen@mikit.example", Behaviour::Frozen),
        (
            "huami_unregistered",
            "unregistered@mikit.example",
            Behaviour::Unregistered,
        ),
    ];
    let mut out: Vec<Account> = Vec::new();
    let mk = |key: String, email: &str, password: &str, region, behaviour| {
        let salt = rng::label(&email.to_ascii_lowercase());
        Account {
            key,
            email: email.to_owned(),
            password: Secret::new(password.to_owned()),
            user_id: user_id(seed, salt),
            region,
            behaviour,
            salt,
            xiaomi_user: None,
        }
    };
    for (key, email, behaviour) in builtin {
        out.push(mk(
            key.into(),
            email,
            DEMO_PASSWORD,
            HuamiRegion::Eu,
            behaviour,
        ));
    }
    // An account created by signing in to the Zepp / Zepp Life app with the demo Xiaomi
    // account of the Mi cloud service (`xiaomi` in `info()`); the other Xiaomi accounts are
    // not registered with Huami and get 0117 (huami-token issue #42).
    let mut linked = mk(
        "huami_xiaomi".into(),
        "mi-user@mikit.example",
        "",
        HuamiRegion::Eu,
        Behaviour::Normal,
    );
    linked.xiaomi_user = crate::micloud::xiaomi_user_id(seed, "xiaomi");
    out.push(linked);
    for (i, a) in extra.iter().enumerate() {
        if a.email.trim().is_empty() {
            return Err("an extra Huami account has an empty email".into());
        }
        if out.iter().any(|o| o.email.eq_ignore_ascii_case(&a.email)) {
            return Err(format!("the Huami account {} is listed twice", a.email));
        }
        out.push(mk(
            format!("huami_extra_{}", i + 1),
            &a.email,
            a.password.expose(),
            a.region,
            Behaviour::Normal,
        ));
    }
    Ok(out)
}

/// A login session (`login_token`).
#[derive(Clone, Debug)]
struct Session {
    account: usize,
    app_name: String,
}

/// Mutable token state, behind one mutex.
#[derive(Debug)]
pub(crate) struct Tokens {
    rng: Rng,
    /// Single-use access codes from the credential step → account.
    access_codes: HashMap<String, usize>,
    /// login_token → session.
    sessions: HashMap<String, Session>,
    /// app_token → (account, login_token).
    app_tokens: HashMap<String, (usize, String)>,
}

/// What `/v2/client/login` hands out.
pub(crate) struct Login {
    pub login_token: String,
    pub app_token: String,
}

impl Tokens {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: Rng::stream(&[seed, rng::label("huami-tokens")]),
            access_codes: HashMap::new(),
            sessions: HashMap::new(),
            app_tokens: HashMap::new(),
        }
    }

    /// A fresh random token.
    pub fn token(&mut self, len: usize) -> String {
        self.rng.token(len)
    }

    /// Issue a single-use access code for `account`.
    pub fn issue_access(&mut self, account: usize) -> String {
        let code = self.rng.token(80);
        self.access_codes.insert(code.clone(), account);
        code
    }

    /// Consume an access code (a second use fails).
    pub fn take_access(&mut self, code: &str) -> Option<usize> {
        self.access_codes.remove(code)
    }

    /// Start a session for (`account`, `app_name`); the previous session of that app name
    /// and its app tokens are revoked (a login evicts the previous one, §3.0).
    pub fn login(&mut self, account: usize, app_name: &str) -> Login {
        let old: Vec<String> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.account == account && s.app_name == app_name)
            .map(|(k, _)| k.clone())
            .collect();
        for lt in &old {
            self.end_session(lt);
        }
        let login_token = self.rng.token(64);
        self.sessions.insert(
            login_token.clone(),
            Session {
                account,
                app_name: app_name.to_owned(),
            },
        );
        let app_token = self.mint_app(account, &login_token);
        Login {
            login_token,
            app_token,
        }
    }

    fn mint_app(&mut self, account: usize, login_token: &str) -> String {
        let t = self.rng.token(96);
        self.app_tokens
            .insert(t.clone(), (account, login_token.to_owned()));
        t
    }

    /// `app_tokens`: a new app token for a live login token.
    pub fn app_token_for(&mut self, login_token: &str) -> Option<String> {
        let account = self.sessions.get(login_token)?.account;
        Some(self.mint_app(account, login_token))
    }

    /// `renew_login_token`: replace the login token (its app tokens stay valid).
    pub fn renew(&mut self, login_token: &str) -> Option<String> {
        let session = self.sessions.remove(login_token)?;
        let new = self.rng.token(64);
        for (_, lt) in self.app_tokens.values_mut() {
            if lt == login_token {
                lt.clone_from(&new);
            }
        }
        self.sessions.insert(new.clone(), session);
        Some(new)
    }

    /// Revoke a session and every app token minted from it. Returns whether it existed.
    pub fn end_session(&mut self, login_token: &str) -> bool {
        let existed = self.sessions.remove(login_token).is_some();
        self.app_tokens.retain(|_, (_, lt)| lt != login_token);
        existed
    }

    /// The account an app token belongs to.
    pub fn account_of(&self, app_token: &str) -> Option<usize> {
        self.app_tokens.get(app_token).map(|(a, _)| *a)
    }

    /// Revoke one app token (expiry). Returns whether it existed.
    pub fn revoke_app(&mut self, app_token: &str) -> bool {
        self.app_tokens.remove(app_token).is_some()
    }
}

/// Uploaded days per account, in date order.
pub(crate) type Uploads = HashMap<usize, BTreeMap<jiff::civil::Date, super::band::StoredDay>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_evicts_same_app_only() {
        let mut t = Tokens::new(1);
        let a = t.login(0, "com.huami.webapp");
        let b = t.login(0, "com.xiaomi.hm.health");
        let a2 = t.login(0, "com.huami.webapp");
        assert_eq!(t.account_of(&a.app_token), None);
        assert_eq!(t.account_of(&b.app_token), Some(0));
        assert_eq!(t.account_of(&a2.app_token), Some(0));
        assert!(t.app_token_for(&a.login_token).is_none());
    }

    #[test]
    fn access_codes_are_single_use() {
        let mut t = Tokens::new(1);
        let c = t.issue_access(3);
        assert_eq!(t.take_access(&c), Some(3));
        assert_eq!(t.take_access(&c), None);
    }

    #[test]
    fn renew_keeps_app_tokens_and_logout_revokes() {
        let mut t = Tokens::new(1);
        let l = t.login(0, "x");
        let new = t.renew(&l.login_token).unwrap();
        assert!(t.app_token_for(&l.login_token).is_none());
        assert_eq!(t.account_of(&l.app_token), Some(0));
        assert!(t.end_session(&new));
        assert_eq!(t.account_of(&l.app_token), None);
    }

    #[test]
    fn account_debug_hides_password() {
        let list = accounts(1, &[HuamiAccount::new("a@a.com", "hunter2-secret")]).unwrap();
        let dbg = format!("{list:?}");
        assert!(!dbg.contains("hunter2-secret"));
        assert!(!dbg.contains(DEMO_PASSWORD));
        assert!(accounts(1, &[HuamiAccount::new("DEMO@mikit.example", "x")]).is_err());
    }
}
