//! Lenient JSON decoding of device payloads: the firmware bugs seen in the wild, repaired in a
//! fixed order, each tried only after strict parsing failed.
//!
//! Order and rules (reference `miio-lan.md` §5.3):
//! 1. strip trailing `\x00` bytes, then parse as is;
//! 2. `,,"otu_stat"` → `,"otu_stat"` (power strip without cloud);
//! 3. cut at the last `\x00` (cloud reply to `_sync.batch_gen_room_up_url`);
//! 4. `"value":00` → `"value":0` (curtain jldj03, python-miio #1411);
//! 5. `,,` → `,` and remove `"result":,` (xiaomi.vacuum.b112);
//!
//! — steps 1–5 from python-miio `miio/protocol.py` (`EncryptionAdapter._decode`), each applied
//! to the NUL-stripped payload —
//! 6. delete control characters `[\x00-\x09\x0B\x0C\x0E-\x1F\x7F-\x9F]` (node miio
//!    `lib/packet.js`), then turn array holes into `null` (`[,]` → `[null,null]`, node miio
//!    `lib/safeishJSON.js`, generalised to any hole outside strings);
//! 7. all of the above together.

use serde_json::Value;

use crate::error::{Error, Result};

fn replace(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

fn fix_otu_stat(b: &[u8]) -> Vec<u8> {
    replace(b, b",,\"otu_stat\"", b",\"otu_stat\"")
}

fn cut_at_last_nul(b: &[u8]) -> Vec<u8> {
    match b.iter().rposition(|&c| c == 0) {
        Some(p) => b[..p].to_vec(),
        None => b.to_vec(),
    }
}

fn fix_value_00(b: &[u8]) -> Vec<u8> {
    replace(b, b"\"value\":00", b"\"value\":0")
}

fn fix_double_comma_and_empty_result(b: &[u8]) -> Vec<u8> {
    replace(&replace(b, b",,", b","), b"\"result\":,", b"")
}

/// Delete ASCII control characters (except `\n` and `\r`), DEL, and the C1 controls
/// U+0080..U+009F (UTF-8 `C2 80`..`C2 9F`).
fn strip_control(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == 0xC2 && i + 1 < b.len() && (0x80..=0x9F).contains(&b[i + 1]) {
            i += 2;
            continue;
        }
        if !(matches!(c, 0x00..=0x09 | 0x0B | 0x0C | 0x0E..=0x1F | 0x7F)) {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// Insert `null` into array holes (`[,` `,,` `,]` inside an array), outside strings.
fn fill_array_holes(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len() + 8);
    let mut stack: Vec<u8> = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    // Last non-whitespace byte outside strings.
    let mut prev: u8 = 0;
    for &c in b {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
                prev = b'"';
            }
            continue;
        }
        let in_array = stack.last() == Some(&b'[');
        if in_array && (c == b',' || c == b']') && (prev == b',' || (prev == b'[' && c == b',')) {
            out.extend_from_slice(b"null");
        }
        match c {
            b'"' => in_string = true,
            b'[' | b'{' => stack.push(c),
            b']' | b'}' => {
                stack.pop();
            }
            _ => {}
        }
        out.push(c);
        if !c.is_ascii_whitespace() {
            prev = c;
        }
    }
    out
}

/// One repair: payload in, repaired payload out.
type Repair = fn(&[u8]) -> Vec<u8>;

fn node_fixes(b: &[u8]) -> Vec<u8> {
    fill_array_holes(&strip_control(b))
}

fn all_fixes(b: &[u8]) -> Vec<u8> {
    let b = fix_otu_stat(b);
    let b = cut_at_last_nul(&b);
    let b = fix_value_00(&b);
    let b = fix_double_comma_and_empty_result(&b);
    node_fixes(&b)
}

/// Decode a decrypted payload as JSON, repairing the known firmware bugs (see module docs).
pub fn decode(payload: &[u8]) -> Result<Value> {
    let end = payload.iter().rposition(|&c| c != 0).map_or(0, |p| p + 1);
    let stripped = &payload[..end];
    let first_err = match serde_json::from_slice(stripped) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    let fixes: [Repair; 6] = [
        fix_otu_stat,
        cut_at_last_nul,
        fix_value_00,
        fix_double_comma_and_empty_result,
        node_fixes,
        all_fixes,
    ];
    for fix in fixes {
        let repaired = fix(stripped);
        if repaired != stripped
            && let Ok(v) = serde_json::from_slice(&repaired)
        {
            return Ok(v);
        }
    }
    Err(Error::Json {
        reason: first_err.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strict_json_and_trailing_nuls() {
        assert_eq!(decode(b"{\"id\":1}").unwrap(), json!({"id":1}));
        assert_eq!(decode(b"{\"id\":1}\0").unwrap(), json!({"id":1}));
        assert_eq!(decode(b"{\"id\":1}\0\0\0").unwrap(), json!({"id":1}));
    }

    #[test]
    fn otu_stat_double_comma() {
        // python-miio miio/tests/test_protocol.py quirk payload
        assert_eq!(
            decode(b"{\"id\": 123456,,\"otu_stat\":0}").unwrap(),
            json!({"id":123456,"otu_stat":0})
        );
    }

    #[test]
    fn cut_at_last_nul_case() {
        // python-miio miio/tests/test_protocol.py quirk payload
        assert_eq!(
            decode(b"{\"id\": 123456}\x00k").unwrap(),
            json!({"id":123456})
        );
    }

    #[test]
    fn value_double_zero() {
        // curtain jldj03, python-miio #1411 (reference §5.3)
        let v = decode(b"{\"id\":1,\"result\":[{\"siid\":2,\"piid\":3,\"code\":0,\"value\":00}]}")
            .unwrap();
        assert_eq!(v["result"][0]["value"], json!(0));
    }

    #[test]
    fn empty_result_and_double_comma() {
        // python-miio miio/tests/test_protocol.py quirk payload (xiaomi.vacuum.b112)
        assert_eq!(
            decode(b"{\"id\":2,\"result\":,\"exe_time\":0}").unwrap(),
            json!({"id":2,"exe_time":0})
        );
        assert_eq!(
            decode(b"{\"id\":2,,\"result\":[1]}").unwrap(),
            json!({"id":2,"result":[1]})
        );
    }

    #[test]
    fn control_characters_are_deleted() {
        // node miio lib/packet.js deletes control characters before parsing
        let v = decode(b"{\"id\":3,\"result\":[\"a\x01b\"]}").unwrap();
        assert_eq!(v["result"][0], json!("ab"));
        // C1 controls are valid JSON on their own (kept), and deleted with the rest once a
        // repair is needed.
        let v = decode("{\"id\":3,\"result\":[\"a\u{85}b\"]}".as_bytes()).unwrap();
        assert_eq!(v["result"][0], json!("a\u{85}b"));
        let v = decode("{\"id\":3,\"result\":[\"a\u{85}\u{1}b\"]}".as_bytes()).unwrap();
        assert_eq!(v["result"][0], json!("ab"));
    }

    #[test]
    fn array_holes_become_null() {
        // node miio lib/safeishJSON.js: '[,]' -> '[null,null]' (sub-device load)
        assert_eq!(
            decode(b"{\"id\":4,\"result\":[,]}").unwrap(),
            json!({"id":4,"result":[null,null]})
        );
        assert_eq!(
            decode(b"{\"id\":4,\"result\":[,,]}").unwrap(),
            json!({"id":4,"result":[null,null,null]})
        );
        assert_eq!(
            decode(b"{\"id\":4,\"result\":[1, ,2]}").unwrap(),
            json!({"id":4,"result":[1,null,2]})
        );
        // Commas inside strings are untouched.
        assert_eq!(
            decode(b"{\"id\":4,\"result\":[\"[,]\",]}").unwrap(),
            json!({"id":4,"result":["[,]",null]})
        );
    }

    #[test]
    fn truncated_json_still_fails() {
        // python-miio miio/tests/test_protocol.py must-fail quirk payload
        assert!(matches!(
            decode(b"{\"id\": 123456,,\"otu_stat\":0"),
            Err(Error::Json { .. })
        ));
        assert!(decode(b"").is_err());
        assert!(decode(b"\0\0").is_err());
        assert!(decode(&[0xff, 0xfe]).is_err());
    }
}
